/** PostgreSQL on this machine and in CI (trust auth, database `test`). */
export const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** MariaDB on this machine and in CI (root, empty password, database `test`). */
export const MYSQL_URL = process.env.PERFWATCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** Redis on this machine and in CI. */
export const REDIS_URL = process.env.PERFWATCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A private PostgreSQL schema for one test file, so concurrent runs never see each other's tables.
 * Returns a URL whose connections use that schema, and a function that drops it.
 */
export async function pgUrlWithSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `pw_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
