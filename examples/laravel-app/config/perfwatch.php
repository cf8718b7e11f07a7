<?php

// The client's own defaults (clients/laravel/config/perfwatch.php), read from the environment.
return [
    'url' => env('PERFWATCH_URL', 'http://127.0.0.1:9470'),
    'token' => env('PERFWATCH_TOKEN'),
    'app' => env('PERFWATCH_APP', 'laravel-example'),
    'enabled' => (bool) env('PERFWATCH_ENABLED', true),
    'timeout_ms' => (int) env('PERFWATCH_TIMEOUT_MS', 200),
    'connect_timeout_ms' => (int) env('PERFWATCH_CONNECT_TIMEOUT_MS', 100),
    'queues' => ['redis' => ['default']],
];
