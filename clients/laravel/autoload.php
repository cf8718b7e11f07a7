<?php

// For apps without Composer (Debian's packaged Laravel): require this file once. With Composer, the
// "autoload" section of composer.json does the same.
spl_autoload_register(static function (string $class): void {
    $prefix = 'Perfwatch\\Laravel\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__.'/src/'.str_replace('\\', '/', substr($class, strlen($prefix))).'.php';
    if (is_file($file)) {
        require $file;
    }
});
