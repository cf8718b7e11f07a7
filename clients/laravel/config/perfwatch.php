<?php

return [
    // Off: nothing is measured and nothing is sent.
    'enabled' => env('PERFWATCH_ENABLED', true),

    // The Perfwatch service (perfwatch serve) and a token with the "ingest" scope.
    'url' => env('PERFWATCH_URL', 'http://127.0.0.1:9470'),
    'token' => env('PERFWATCH_TOKEN'),

    // The app's name in every batch: its heartbeat is perfwatch_ingest_last_seen_timestamp_seconds{app}.
    // Letters, digits, "_", "." and "-".
    'app' => env('PERFWATCH_APP', 'laravel'),

    // The whole send (connect included) is given up after this: an unreachable Perfwatch costs a
    // request at most this much, after its response (terminable middleware).
    'timeout_ms' => (int) env('PERFWATCH_TIMEOUT_MS', 200),
    'connect_timeout_ms' => (int) env('PERFWATCH_CONNECT_TIMEOUT_MS', 100),

    // Add the request middleware to the HTTP kernel's global stack. Turn off to place
    // \Perfwatch\Laravel\Middleware\RecordRequest yourself.
    'middleware' => true,

    // The first application frame of every query, shown with its slow-query samples. Costs one
    // debug_backtrace() per query.
    'call_sites' => env('PERFWATCH_CALL_SITES', true),

    // Frames under these paths are skipped when looking for a query's call site (besides this package
    // and the app's vendor/ directory).
    'vendor_paths' => ['/usr/share/php/'],

    // Events kept per request or job; the rest are counted as unsent.
    'max_events' => 1000,

    // SQL longer than this is cut before it is sent.
    'max_sql_length' => 10000,

    // Queues whose depth (waiting, delayed, active) the heartbeat reports, as [connection => [queues]].
    // Only Redis queues report per state.
    'queues' => [],

    // Add perfwatch:heartbeat to the scheduler every minute, so an idle app still says it is alive.
    'schedule_heartbeat' => true,

    // Unsent events are added up here across requests and reported with the next batch that gets
    // through (perfwatch_ingest_unsent_events_total{app}). Null: storage/framework/perfwatch-unsent.
    'unsent_file' => null,
];
