<?php

namespace App\Http;

use Illuminate\Foundation\Http\Kernel as HttpKernel;

class Kernel extends HttpKernel
{
    // The Perfwatch service provider prepends its RecordRequest middleware (perfwatch.middleware).
    protected $middleware = [];

    protected $middlewareGroups = ['api' => [\Illuminate\Routing\Middleware\SubstituteBindings::class]];

    protected $routeMiddleware = [];
}
