<?php

namespace App\Http\Controllers;

use App\Jobs\ChargeCard;
use App\Jobs\SendInvoice;
use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;
use Perfwatch\Laravel\Facades\Perfwatch;
use RuntimeException;

/** The example's routes: each shows one thing Perfwatch measures. */
class ShopController
{
    public function home(): JsonResponse
    {
        return new JsonResponse(['app' => config('app.name')]);
    }

    /** A fast endpoint: no database at all. */
    public function fast(): JsonResponse
    {
        return new JsonResponse(['ok' => true]);
    }

    /**
     * One indexed lookup, under a route template with a placeholder (`invoices/{id}`). `?slow=1`
     * makes the database take 1.2 s first, `?fail=1` fails the request: the SLA test uses both.
     */
    public function invoice(Request $request, string $id): JsonResponse
    {
        if ($request->query('fail')) {
            throw new RuntimeException('invoice store unavailable');
        }
        if ($request->query('slow')) {
            DB::select(DB::connection()->getDriverName() === 'pgsql' ? 'select pg_sleep(1.2)' : 'select sleep(1.2)');
        }
        $invoice = DB::table('invoices')->where('id', (int) $id)->first();

        return new JsonResponse(['id' => (int) $id, 'total' => $invoice ? (int) $invoice->total : null], $invoice ? 200 : 404);
    }

    /** A slow query: the database sleeps 300 ms. */
    public function slowReport(): JsonResponse
    {
        $sleep = DB::connection()->getDriverName() === 'pgsql' ? 'select pg_sleep(0.3) as slept' : 'select sleep(0.3) as slept';
        DB::select($sleep);
        $total = DB::table('invoices')->sum('total');

        return new JsonResponse(['total' => (int) $total]);
    }

    /** An N+1 loop: one query for the books, then one per book for its author. */
    public function booksWithAuthors(): JsonResponse
    {
        $books = DB::table('books')->orderBy('id')->get();
        $out = [];
        foreach ($books as $book) {
            $author = DB::table('authors')->where('id', $book->author_id)->first();
            $out[] = ['title' => $book->title, 'author' => $author->name];
        }

        return new JsonResponse($out);
    }

    public function dispatchJob(string $kind): JsonResponse
    {
        if ($kind === 'failing') {
            ChargeCard::dispatch(42);
        } else {
            SendInvoice::dispatch(1);
        }

        return new JsonResponse(['queued' => $kind], 202);
    }

    /** An upload, timed with Perfwatch::measure() and recorded with its size. */
    public function upload(Request $request): JsonResponse
    {
        $file = $request->file('file');
        if ($file === null) {
            return new JsonResponse(['error' => 'send a multipart field "file"'], 422);
        }
        $size = (int) $file->getSize();
        $stored = Perfwatch::measure('upload', static fn () => $file->storeAs('uploads', bin2hex(random_bytes(6)).'.bin', 'local'), $size);

        return new JsonResponse(['stored' => $stored, 'bytes' => $size], 201);
    }

    public function boom(): JsonResponse
    {
        throw new RuntimeException('the invoice service is unreachable');
    }
}
