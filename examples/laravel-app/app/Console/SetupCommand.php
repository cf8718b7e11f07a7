<?php

namespace App\Console;

use Illuminate\Console\Command;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

/** Creates and fills the example's tables (invoices, authors, books), dropping old ones. */
class SetupCommand extends Command
{
    protected $signature = 'app:setup';

    protected $description = 'Create and seed the example tables';

    public function handle(): int
    {
        if (DB::connection()->getDriverName() === 'pgsql') {
            // The connection's search_path names the schema; PostgreSQL does not create it on its own.
            $schema = (string) config('database.connections.pgsql.schema');
            DB::statement('create schema if not exists "'.str_replace('"', '""', $schema).'"');
        }
        foreach (['books', 'authors', 'invoices'] as $table) {
            Schema::dropIfExists($table);
        }
        Schema::create('invoices', static function (Blueprint $t): void {
            $t->id();
            $t->integer('total');
            $t->boolean('sent')->default(false);
        });
        Schema::create('authors', static function (Blueprint $t): void {
            $t->id();
            $t->string('name');
        });
        Schema::create('books', static function (Blueprint $t): void {
            $t->id();
            $t->string('title');
            $t->unsignedBigInteger('author_id');
        });
        for ($i = 1; $i <= 20; $i++) {
            DB::table('invoices')->insert(['total' => $i * 100]);
        }
        for ($i = 1; $i <= 8; $i++) {
            DB::table('authors')->insert(['name' => "Author $i"]);
            DB::table('books')->insert(['title' => "Book $i", 'author_id' => $i]);
        }
        $this->line('tables ready');

        return 0;
    }
}
