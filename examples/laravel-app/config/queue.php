<?php

return [
    'default' => env('QUEUE_CONNECTION', 'redis'),
    'connections' => [
        'redis' => ['driver' => 'redis', 'connection' => 'default', 'queue' => 'default', 'retry_after' => 90, 'block_for' => null],
        'sync' => ['driver' => 'sync'],
    ],
    // Failed jobs are Perfwatch's to count here; the example keeps no failed_jobs table.
    'failed' => ['driver' => 'null'],
];
