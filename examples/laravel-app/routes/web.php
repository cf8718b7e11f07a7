<?php

use App\Http\Controllers\ShopController;
use Illuminate\Support\Facades\Route;

Route::get('/', [ShopController::class, 'home']);
Route::get('fast', [ShopController::class, 'fast']);
Route::get('invoices/{id}', [ShopController::class, 'invoice']);
Route::get('reports/slow', [ShopController::class, 'slowReport']);
Route::get('books', [ShopController::class, 'booksWithAuthors']);
Route::post('jobs/{kind}', [ShopController::class, 'dispatchJob']);
Route::post('upload', [ShopController::class, 'upload']);
Route::get('boom', [ShopController::class, 'boom']);
