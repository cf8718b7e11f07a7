import type { Pool } from 'pg';

const PRODUCTS = 200;
const CATEGORIES = ['books', 'games', 'garden', 'kitchen', 'music', 'office', 'sports', 'toys'];

/** Creates the shop's tables in `schema` and seeds products and reviews once. */
export async function prepareSchema(pool: Pool, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await pool.query(`create schema if not exists ${s}`);
  await pool.query(`
    create table if not exists ${s}.products (
      id serial primary key, name text not null, category text not null,
      price_cents integer not null, stock integer not null);
    create table if not exists ${s}.reviews (
      id serial primary key, product_id integer not null references ${s}.products(id),
      rating integer not null, body text not null);
    create index if not exists reviews_product on ${s}.reviews(product_id);
    create table if not exists ${s}.orders (
      id serial primary key, created_at timestamptz not null default now(),
      total_cents integer not null, status text not null);
    create table if not exists ${s}.order_items (
      order_id integer not null references ${s}.orders(id), product_id integer not null,
      qty integer not null, price_cents integer not null)`);
  const { rows } = await pool.query<{ n: string }>(`select count(*) as n from ${s}.products`);
  if (Number(rows[0].n) > 0) return;
  await pool.query(
    `insert into ${s}.products (name, category, price_cents, stock)
     select 'Product ' || g, ($1::text[])[1 + g % $2], 199 + (g * 37) % 9800, 1000000
     from generate_series(1, $3) g`,
    [CATEGORIES, CATEGORIES.length, PRODUCTS],
  );
  await pool.query(
    `insert into ${s}.reviews (product_id, rating, body)
     select 1 + g % $1, 1 + g % 5, 'Review ' || g from generate_series(1, $1 * 5) g`,
    [PRODUCTS],
  );
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name "${name}"`);
  return `"${name}"`;
}

export const PRODUCT_COUNT = PRODUCTS;
