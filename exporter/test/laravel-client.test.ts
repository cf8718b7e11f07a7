/**
 * The Laravel client (clients/laravel) when Perfwatch is down or hung, and its call-site search, on
 * Debian's PHP and Laravel. The app is the example app served by `php -S`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  artisan,
  ensurePhp,
  type Env,
  LARAVEL_CLIENT,
  laravelStorage,
  mariadbDatabase,
  startLaravel,
} from './support/laravel';
import { killAll } from '../library/test/support/processes';
import { series } from '../library/test/support/prom-text';
import { startTestService, TOKENS, type TestService } from './support/service';
import { blackHole, type TcpServer } from '../library/test/support/tcp';
import { TcpProxy } from './support/tcp-proxy';

jest.setTimeout(120_000);

const APP = `laravel-outage-${process.pid}`;
/** The client's send timeout in this test (connect included). */
const TIMEOUT_MS = 150;
/**
 * What a shared two-core machine adds on top of the timeout to a request's latency: scheduling noise
 * between runs of the same request. Generous on purpose; the assertion is about the timeout bounding
 * the cost, not about PHP's speed.
 */
const NOISE_MS = 250;
const RUNS = 8;

let svc: TestService;
let storage: ReturnType<typeof laravelStorage>;
let db: { env: Env; drop: () => Promise<void> };
let app: { url: string; stop: () => Promise<void> };
let proxy: TcpProxy;
let hole: TcpServer | undefined;
let port: number;

/** Points the app's Perfwatch URL (a fixed proxy port) at `target`, or at nothing. */
async function route(target: number | undefined): Promise<void> {
  await proxy.stop();
  if (target === undefined) return;
  proxy = new TcpProxy('127.0.0.1', target);
  proxy.port = port;
  await proxy.start();
}

/** Runs RUNS requests one after another; each must answer correctly. Returns their latencies (ms). */
async function latencies(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(`${app.url}/invoices/3`, { headers: { accept: 'application/json' } });
    const body = await res.json();
    out.push(performance.now() - t0);
    expect(res.status).toBe(200);
    expect(body).toEqual({ id: 3, total: 300 });
  }
  await barrier();
  return out;
}

/**
 * Waits until the last request's send is over. The client sends after the response, and php -S runs
 * one script at a time: a static file it serves itself comes back only after that script ended.
 */
async function barrier(): Promise<void> {
  const res = await fetch(`${app.url}/robots.txt`);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}
const warnings = () => {
  const f = path.join(storage.path, 'logs', 'laravel.log');
  return existsSync(f) ? (readFileSync(f, 'utf8').match(/Perfwatch: events not delivered/g) ?? []).length : 0;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const unsentOnDisk = () => {
  const f = path.join(storage.path, 'framework', 'perfwatch-unsent');
  return existsSync(f) ? Number(readFileSync(f, 'utf8') || 0) : 0;
};
const metric = async (name: string, labels: Record<string, string>) =>
  series(await (await svc.api('/metrics')).text(), name, labels).reduce((s, x) => s + x.value, 0);

beforeAll(async () => {
  ensurePhp();
  svc = await startTestService();
  // A cold service answers its first batches slowly; the app's 150 ms budget is for a warm one.
  for (let i = 0; i < 30; i++)
    await svc.api('/api/v1/events', {
      method: 'POST',
      scope: 'ingest',
      body: JSON.stringify({
        app: 'warm-up',
        events: [
          { kind: 'request', method: 'GET', route: '/warm', status: 200, durationMs: 1 },
          {
            kind: 'query',
            dbSystem: 'mysql',
            sql: 'select 1',
            durationMs: 1,
            route: '/warm',
            requestId: `w${i}`,
          },
        ],
      }),
    });
  proxy = new TcpProxy('127.0.0.1', Number(new URL(svc.url).port));
  port = await proxy.start();
  storage = laravelStorage();
  db = await mariadbDatabase();
  const env: Env = {
    ...db.env,
    ...storage.env,
    REDIS_PREFIX: `pw_outage_${process.pid}_`,
    PERFWATCH_URL: `http://127.0.0.1:${port}`,
    PERFWATCH_TOKEN: TOKENS.ingest,
    PERFWATCH_APP: APP,
    PERFWATCH_TIMEOUT_MS: String(TIMEOUT_MS),
    PERFWATCH_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
  };
  expect(await artisan({ ...env, PERFWATCH_ENABLED: 'false' }, ['app:setup'])).toMatchObject({ code: 0 });
  app = await startLaravel(env);
});

afterAll(async () => {
  await app?.stop();
  await proxy?.stop();
  await hole?.close();
  await svc?.close();
  await db?.drop();
  storage?.remove();
  await killAll();
});

describe('when Perfwatch is unreachable', () => {
  let up: number[];
  /** Losses before the outage: a cold service on a busy machine may miss the 150 ms once or twice. */
  let lostBefore: number;
  let warningsBefore: number;

  test('with Perfwatch up, every request of the app is recorded', async () => {
    await latencies(); // warm PHP's opcache and the connections
    up = await latencies();
    expect(await metric('http_server_request_duration_seconds_count', { route: '/invoices/{id}' })).toBe(
      2 * RUNS,
    );
    lostBefore = unsentOnDisk() + (await metric('perfwatch_ingest_unsent_events_total', { app: APP }));
    warningsBefore = warnings();
  });

  test('stopped: responses stay correct, latency rises by no more than the timeout, events are counted', async () => {
    await route(undefined);
    const down = await latencies();
    expect(median(down) - median(up)).toBeLessThan(TIMEOUT_MS + NOISE_MS);
    // Each request's batch (a request and a query event) was given up and counted.
    expect(unsentOnDisk() + (await metric('perfwatch_ingest_unsent_events_total', { app: APP }))).toBe(
      lostBefore + 2 * RUNS,
    );
  });

  test('hung (accepts, never answers): the send gives up after the timeout, the app keeps serving', async () => {
    hole = await blackHole();
    await route(hole.port);
    const hung = await latencies();
    // php -S serves one request at a time, so a send blocking the worker shows in the next request.
    expect(median(hung) - median(up)).toBeLessThan(TIMEOUT_MS + NOISE_MS);
    expect(Math.max(...hung)).toBeLessThan(Math.max(...up) + TIMEOUT_MS + NOISE_MS);
    expect(unsentOnDisk() + (await metric('perfwatch_ingest_unsent_events_total', { app: APP }))).toBe(
      lostBefore + 4 * RUNS,
    );
  });

  test('the app logs one warning for the whole outage, not one per request', () => {
    expect(warnings() - warningsBefore).toBe(1);
  });

  test('back: the next batch reports what was lost, once, and nothing is retried', async () => {
    await route(Number(new URL(svc.url).port));
    const res = await fetch(`${app.url}/invoices/3`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await barrier();
    expect(unsentOnDisk()).toBe(0);
    expect(await metric('perfwatch_ingest_unsent_events_total', { app: APP })).toBe(lostBefore + 4 * RUNS);
    // Only what was sent while Perfwatch was up arrived: the lost requests were not re-sent.
    expect(await metric('http_server_request_duration_seconds_count', { route: '/invoices/{id}' })).toBe(
      2 * RUNS + 1,
    );
  });
});

describe('call sites', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-callsite-'));
    mkdirSync(path.join(dir, 'vendor', 'acme', 'orm'), { recursive: true });
    mkdirSync(path.join(dir, 'app', 'Models'), { recursive: true });
    mkdirSync(path.join(dir, 'lib'), { recursive: true });
    // A query builder in vendor/ that calls the query listener (as Laravel's dispatcher does), and a
    // library in a configured vendor path, as Eloquent sits in vendor/laravel/framework (Composer) or
    // /usr/share/php (Debian).
    writeFileSync(
      path.join(dir, 'vendor', 'acme', 'orm', 'Builder.php'),
      '<?php\nfunction acme_get() {\n    return call_user_func($GLOBALS["listener"]);\n}\n',
    );
    writeFileSync(
      path.join(dir, 'lib', 'Shared.php'),
      '<?php\nfunction shared_get() {\n    return acme_get();\n}\n',
    );
    writeFileSync(
      path.join(dir, 'app', 'Models', 'Invoice.php'),
      '<?php\nfunction invoices() {\n    $x = 1;\n    return shared_get();\n}\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const php = (code: string) =>
    execFileSync('php', ['-r', `require '${LARAVEL_CLIENT}/autoload.php'; ${code}`], { encoding: 'utf8' });

  test('the first application frame is the call site; vendor frames and configured paths are skipped', () => {
    const out = php(`
      foreach (['vendor/acme/orm/Builder.php', 'lib/Shared.php', 'app/Models/Invoice.php'] as $f) require '${dir}/' . $f;
      $site = new Perfwatch\\Laravel\\CallSite('${dir}', ['${dir}/lib/']);
      $GLOBALS['listener'] = [$site, 'find'];
      echo invoices();
    `);
    expect(out).toBe('app/Models/Invoice.php:4');
  });

  test('without the configured path, the first frame outside vendor/ wins', () => {
    const out = php(`
      foreach (['vendor/acme/orm/Builder.php', 'lib/Shared.php', 'app/Models/Invoice.php'] as $f) require '${dir}/' . $f;
      $site = new Perfwatch\\Laravel\\CallSite('${dir}', []);
      $GLOBALS['listener'] = [$site, 'find'];
      echo invoices();
    `);
    expect(out).toBe('lib/Shared.php:3');
  });
});

describe('naming', () => {
  const php = (code: string) =>
    execFileSync(
      'php',
      ['-r', `require '${LARAVEL_CLIENT}/autoload.php'; use Perfwatch\\Laravel\\Perfwatch; ${code}`],
      {
        encoding: 'utf8',
      },
    );

  test("Laravel's route URIs become templates with a leading slash, placeholders kept", () => {
    expect(
      php(
        `echo json_encode([Perfwatch::routeTemplate('invoices/{id}'), Perfwatch::routeTemplate('/'), Perfwatch::routeTemplate('users/{user?}'), Perfwatch::routeTemplate(null)], JSON_UNESCAPED_SLASHES);`,
      ),
    ).toBe('["/invoices/{id}","/","/users/{user?}","__unmatched__"]');
  });

  test('a scheduled command is named without the PHP binary and artisan', () => {
    expect(
      php(
        `echo json_encode([Perfwatch::taskName(null, "'/usr/bin/php8.2' 'artisan' invoices:remind --force"), Perfwatch::taskName('nightly export', 'x'), Perfwatch::taskName(null, null)]);`,
      ),
    ).toBe('["invoices:remind --force","nightly export","closure"]');
  });

  test("Laravel's driver names map to OpenTelemetry's db.system", () => {
    expect(
      php(
        `echo json_encode(array_map([Perfwatch::class, 'dbSystem'], ['mysql', 'pgsql', 'sqlite', 'sqlsrv']));`,
      ),
    ).toBe('["mysql","postgresql","sqlite","mssql"]');
  });
});
