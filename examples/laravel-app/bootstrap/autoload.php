<?php

// Debian's packaged Laravel (php-laravel-framework) instead of Composer's vendor/: its autoloader,
// the Perfwatch client from this repository, and the app's own classes (PSR-4, App\ → app/).
require_once '/usr/share/php/Illuminate/autoload.php';
require_once __DIR__.'/../../../clients/laravel/autoload.php';

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'App\\', 4) !== 0) {
        return;
    }
    $file = __DIR__.'/../app/'.str_replace('\\', '/', substr($class, 4)).'.php';
    if (is_file($file)) {
        require $file;
    }
});
