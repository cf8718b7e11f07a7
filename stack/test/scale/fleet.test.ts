/**
 * docs/scaling.md's "stateless on PostgreSQL", verified: three `perfwatch serve` processes on one
 * PostgreSQL schema behind a round-robin HTTP proxy (Node's http module: forwards each request to the
 * next instance, and to the one after when an instance refuses the connection, as nginx's
 * proxy_next_upstream does), each instance scraped by Prometheus 2.42 on its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { amPayload } from '../../../exporter/test/support/alertmanager';
import { MIGRATIONS } from '../../../exporter/src/store/migrations';
import { findBinaries } from '../../src/binaries';
import { type Daemon, startPrometheus } from '../../src/daemons';
import { freePort, ManagedProcess, waitForHttp } from '../../src/processes';
import { repoRoot } from '../../src/stack';
import { eventually, query } from '../support/prometheus';

jest.setTimeout(5 * 60_000);

const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `pw_fleet_${process.pid}_${Date.now()}`;
const INSTANCES = 3;
const TOKENS = {
  write: 'fleet-write-token-0123456789abcdef',
  read: 'fleet-read-token-0123456789abcdef',
  ingest: 'fleet-ingest-token-0123456789abcdef',
  alertmanager: 'fleet-am-token-0123456789abcdef',
};
const measured: Record<string, number | string> = {};

interface Instance {
  name: string;
  url: string;
  proc: ManagedProcess;
}

/** Round-robin reverse proxy; remembers which instance answered each request. */
class RoundRobin {
  private next = 0;
  private server: Server | undefined;
  url = '';
  /** Called with every answer an instance gives, as the client receives it. */
  onAnswer: ((instance: Instance, url: string, status: number) => void) | undefined;

  constructor(private readonly instances: Instance[]) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.forward(req.method!, req.url!, req.headers, Buffer.concat(chunks), res, 0));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private forward(
    method: string,
    url: string,
    headers: import('node:http').IncomingHttpHeaders,
    body: Buffer,
    res: import('node:http').ServerResponse,
    tried: number,
  ): void {
    const target = this.instances[this.next++ % this.instances.length];
    const upstream = request(
      `${target.url}${url}`,
      { method, headers: { ...headers, host: new URL(target.url).host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-served-by': target.name });
        up.pipe(res);
        this.onAnswer?.(target, url, up.statusCode ?? 502);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // Connection refused: nothing reached the instance, so another may take it.
      if (err.code === 'ECONNREFUSED' && tried + 1 < this.instances.length && !res.headersSent)
        return this.forward(method, url, headers, body, res, tried + 1);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: err.message } }));
    });
    upstream.end(body);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('a Perfwatch fleet on one PostgreSQL', () => {
  let dir: string;
  let prometheus: Daemon;
  let proxy: RoundRobin;
  const instances: Instance[] = [];
  const schemaUrl = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${SCHEMA}`;

  const api = (base: string, p: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${base}/api/v1${p}`, {
      ...init,
      headers: {
        authorization: `Bearer ${init.token ?? TOKENS.write}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  beforeAll(async () => {
    const bins = findBinaries(['prometheus']);
    dir = mkdtempSync(path.join(tmpdir(), 'pw-fleet-'));
    const logDir = path.join(dir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${SCHEMA}`);
    await admin.end();

    const config = path.join(dir, 'perfwatch.yml');
    writeFileSync(
      config,
      stringify({
        server: { host: '127.0.0.1', systemMetrics: false },
        store: { url: schemaUrl },
        // Written to the store at once, so what an instance acknowledged is in PostgreSQL before it dies.
        queries: { flushIntervalMs: 200 },
        log: { level: 'warn' },
      }),
    );
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    // All at once on an empty schema: their migrations race.
    ports.forEach((port, i) => {
      const name = `perfwatch-${i + 1}`;
      instances.push({
        name,
        url: `http://127.0.0.1:${port}`,
        proc: new ManagedProcess(
          name,
          process.execPath,
          [path.join(repoRoot(), 'exporter', 'dist', 'cli.js'), 'serve'],
          path.join(logDir, `${name}.log`),
          {
            cwd: dir,
            env: {
              ...process.env,
              PERFWATCH_CONFIG: config,
              PERFWATCH_PORT: String(port),
              PERFWATCH_TOKEN_WRITE: TOKENS.write,
              PERFWATCH_TOKEN_READ: TOKENS.read,
              PERFWATCH_TOKEN_INGEST: TOKENS.ingest,
              PERFWATCH_TOKEN_ALERTMANAGER: TOKENS.alertmanager,
            },
          },
        ),
      });
    });
    try {
      await Promise.all(instances.map((i) => waitForHttp(`${i.url}/readyz`, { proc: i.proc })));
    } catch (err) {
      for (const i of instances)
        console.error(`${i.name} (${i.proc.exitDescription()}):\n${readFileSync(i.proc.logFile, 'utf8')}`);
      throw err;
    }
    proxy = new RoundRobin(instances);
    await proxy.start();

    const promPort = await freePort();
    const promConfig = path.join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [
          {
            job_name: 'perfwatch',
            static_configs: [{ targets: instances.map((i) => new URL(i.url).host) }],
          },
        ],
      }),
    );
    prometheus = await startPrometheus({
      bin: bins.prometheus,
      configFile: promConfig,
      dataDir: dir,
      logDir,
      webPort: promPort,
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await prometheus?.proc.stop();
    await Promise.all(instances.map((i) => i.proc.stop()));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`fleet measured: ${JSON.stringify(measured, null, 1)}`);
  });

  test('three instances starting at once on an empty schema migrate it exactly once', async () => {
    const c = new pg.Client({ connectionString: schemaUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string }>('select name from perfwatch_migrations order by id');
      expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await c.end();
    }
    for (const i of instances) expect((await fetch(`${i.url}/readyz`)).status).toBe(200);
  });

  test("one Alertmanager group's notifications arriving at every instance make one incident, diagnosed once", async () => {
    const groupKey = `{}:{alertname="SLAErrors",route="/fleet"}`;
    const alerts = ['a', 'b', 'c'].map((shard) => ({
      labels: { alertname: 'SLAErrors', route: '/fleet', severity: 'emergency', shard },
    }));
    // The first notification and two retries, each sent to every instance at the same moment.
    for (let round = 0; round < 3; round++)
      await Promise.all(
        instances.map((i) =>
          api(i.url, '/alertmanager/webhook', {
            method: 'POST',
            token: TOKENS.alertmanager,
            body: JSON.stringify(amPayload(groupKey, alerts)),
          }).then((r) => expect(r.status).toBe(200)),
        ),
      );
    const list = (await (await api(proxy.url, '/incidents?limit=100')).json()) as {
      items: Array<{ id: number }>;
    };
    expect(list.items).toHaveLength(1);
    const id = list.items[0].id;
    // Diagnostics run in the background on whichever instance opened the incident.
    const timeline = await eventually(
      async () => {
        const d = (await (await api(proxy.url, `/incidents/${id}`)).json()) as {
          timeline: Array<{ kind: string }>;
          alerts: unknown[];
        };
        return d.timeline.some((e) => e.kind === 'diagnostics') ? d : undefined;
      },
      30_000,
      'the diagnostics snapshot',
    );
    expect(timeline.alerts).toHaveLength(3);
    // Give the other instances time to (wrongly) take theirs.
    await new Promise((r) => setTimeout(r, 3000));
    const d = (await (await api(proxy.url, `/incidents/${id}`)).json()) as {
      timeline: Array<{ kind: string }>;
    };
    expect(d.timeline.filter((e) => e.kind === 'diagnostics')).toHaveLength(1);
    expect(d.timeline.filter((e) => e.kind === 'opened')).toHaveLength(1);
  });

  test('concurrent changes to one incident through different instances lose no update', async () => {
    const res = await api(proxy.url, '/incidents', {
      method: 'POST',
      body: JSON.stringify({ title: 'Fleet concurrency', severity: 'high' }),
    });
    const { id } = (await res.json()) as { id: number };
    const NOTES = 12;
    const answers = await Promise.all([
      ...Array.from({ length: NOTES }, (_, n) =>
        api(proxy.url, `/incidents/${id}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: `note ${n}` }),
        }),
      ),
      api(proxy.url, `/incidents/${id}/assign`, {
        method: 'POST',
        body: JSON.stringify({ assignee: 'bob' }),
      }),
      api(proxy.url, `/incidents/${id}/acknowledge`, { method: 'POST', body: '{}' }),
      api(proxy.url, `/incidents/${id}/status`, {
        method: 'POST',
        body: JSON.stringify({ status: 'identified' }),
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => a.headers.get('x-served-by'))).size).toBe(INSTANCES);
    const d = (await (await api(proxy.url, `/incidents/${id}`)).json()) as {
      timeline: Array<{ kind: string; message: string }>;
      assignee: string;
      acknowledged: boolean;
      status: string;
    };
    expect(d).toMatchObject({ assignee: 'bob', acknowledged: true, status: 'identified' });
    const notes = d.timeline.filter((e) => e.kind === 'note').map((e) => e.message);
    expect(notes).toHaveLength(NOTES);
  });

  test('a change made against a version another instance has changed since is refused with 409', async () => {
    const res = await api(proxy.url, '/incidents', {
      method: 'POST',
      body: JSON.stringify({ title: 'Fleet stale change', severity: 'high' }),
    });
    const { id } = (await res.json()) as { id: number };
    // Two people read the incident, through different instances.
    const [first, second] = instances;
    const etag = (await api(first.url, `/incidents/${id}`)).headers.get('etag')!;
    expect((await api(second.url, `/incidents/${id}`)).headers.get('etag')).toBe(etag);
    const a = await api(first.url, `/incidents/${id}/status`, {
      method: 'POST',
      headers: { 'if-match': etag },
      body: JSON.stringify({ status: 'identified' }),
    });
    expect(a.status).toBe(200);
    const b = await api(second.url, `/incidents/${id}/status`, {
      method: 'POST',
      headers: { 'if-match': etag },
      body: JSON.stringify({ status: 'monitoring' }),
    });
    expect(b.status).toBe(409);
    const d = (await (await api(proxy.url, `/incidents/${id}`)).json()) as { status: string };
    expect(d.status).toBe('identified');
  });

  const ingestedTotal = async (route: string) => {
    const r = await query(
      prometheus.url,
      `sum(http_server_request_duration_seconds_count{job="perfwatch",route="${route}"})`,
    );
    return r.length ? Number(r[0].value![1]) : 0;
  };

  test('events ingested through the proxy spread over the instances and sum up in PromQL', async () => {
    const BATCHES = 60;
    const PER_BATCH = 10;
    const started = Date.now();
    for (let b = 0; b < BATCHES; b++) {
      const res = await api(proxy.url, '/events', {
        method: 'POST',
        token: TOKENS.ingest,
        body: JSON.stringify({
          events: Array.from({ length: PER_BATCH }, () => ({
            kind: 'request',
            method: 'GET',
            route: '/fleet/spread',
            status: 200,
            durationMs: 12,
          })),
        }),
      });
      expect(res.status).toBeLessThan(300);
    }
    measured.ingestBatchesPerSecondThroughProxy = Math.round((BATCHES * 1000) / (Date.now() - started));
    await eventually(
      async () => ((await ingestedTotal('/fleet/spread')) === BATCHES * PER_BATCH ? true : undefined),
      30_000,
      'all events summed in Prometheus',
    );
    const perInstance = await query(
      prometheus.url,
      'sum by (instance) (http_server_request_duration_seconds_count{job="perfwatch",route="/fleet/spread"})',
    );
    expect(perInstance).toHaveLength(INSTANCES);
    for (const s of perInstance) expect(Number(s.value![1])).toBe((BATCHES / INSTANCES) * PER_BATCH);
  });

  test('an instance killed mid-stream: the others take every batch; it loses only what it took since its last scrape', async () => {
    const PER_BATCH = 5;
    const victim = instances[INSTANCES - 1];
    const acks: Array<{ instance: string; at: number }> = [];
    proxy.onAnswer = (instance, url, status) => {
      if (url.startsWith('/api/v1/events') && status < 300)
        acks.push({ instance: instance.name, at: Date.now() });
    };
    const batch = JSON.stringify({
      events: Array.from({ length: PER_BATCH }, () => ({
        kind: 'request',
        method: 'POST',
        route: '/fleet/stream',
        status: 200,
        durationMs: 8,
      })),
    });
    let batches = 0;
    let retried = 0;
    const stream = async (until: number) => {
      while (Date.now() < until) {
        // A client that retries what was not acknowledged (a 502 when the connection broke mid-request).
        for (let attempt = 0; ; attempt++) {
          const res = await api(proxy.url, '/events', { method: 'POST', token: TOKENS.ingest, body: batch });
          await res.arrayBuffer();
          if (res.ok) break;
          retried++;
          if (attempt > 5) throw new Error(`batch refused ${attempt + 1} times: ${res.status}`);
        }
        batches++;
      }
    };
    const start = Date.now();
    const streaming = Promise.all([stream(start + 8000), stream(start + 8000)]);
    await new Promise((r) => setTimeout(r, 4000));
    const killedAt = Date.now();
    victim.proc.signal('SIGKILL');
    await victim.proc.waitForExit();
    await streaming;
    proxy.onAnswer = undefined;
    expect(acks).toHaveLength(batches);

    const ackedBy = (name: string) => acks.filter((a) => a.instance === name).length * PER_BATCH;
    const lastSeen = async (inst: Instance) => {
      const r = await query(
        prometheus.url,
        `max_over_time(sum by (instance) (http_server_request_duration_seconds_count{route="/fleet/stream",instance="${new URL(inst.url).host}"})[2m:1s])`,
      );
      return r.length ? Number(r[0].value![1]) : 0;
    };
    // Survivors: every acknowledged event is in Prometheus.
    for (const inst of instances.filter((i) => i !== victim))
      await eventually(
        async () => ((await lastSeen(inst)) === ackedBy(inst.name) ? true : undefined),
        20_000,
        `${inst.name}'s acknowledged events in Prometheus`,
      );
    // The killed one: what it acknowledged after Prometheus' last scrape of it died with it.
    const lost = ackedBy(victim.name) - (await lastSeen(victim));
    const ackedJustBefore =
      acks.filter((a) => a.instance === victim.name && a.at > killedAt - 2500 && a.at <= killedAt).length *
      PER_BATCH;
    measured.streamEvents = batches * PER_BATCH;
    measured.streamRetriedBatches = retried;
    measured.killedInstanceAcknowledged = ackedBy(victim.name);
    measured.killedInstanceLostAfterLastScrape = lost;
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(ackedJustBefore);
    // The fleet's total in PromQL is everything acknowledged but those.
    const [total] = await query(
      prometheus.url,
      'sum(max_over_time(sum by (instance) (http_server_request_duration_seconds_count{route="/fleet/stream"})[2m:1s]))',
    );
    expect(Number(total.value![1])).toBe(batches * PER_BATCH - lost);
  });
});
