<?php

namespace App\Console;

use Illuminate\Console\Command;
use Illuminate\Support\Facades\DB;

class RemindCommand extends Command
{
    protected $signature = 'invoices:remind';

    protected $description = 'Remind customers of unpaid invoices';

    public function handle(): int
    {
        $this->line(DB::table('invoices')->where('sent', 0)->count().' invoices to remind');

        return 0;
    }
}
