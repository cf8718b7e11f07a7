import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { histogramQuantile } from '../src/incidents/diagnostics';
import { amPayload } from './support/alertmanager';
import { freePort, killAll, start, waitForHttp } from '../library/test/support/processes';
import { startTestService, type TestService } from './support/service';

interface TimelineEvent {
  kind: string;
  author: string;
  message: string;
  data: Record<string, { status: string; message?: string } & Record<string, unknown>> & {
    truncated?: boolean;
  };
}

async function ingest(svc: TestService, events: unknown[]) {
  const res = await svc.api('/api/v1/events', {
    method: 'POST',
    scope: 'ingest',
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(200);
}

async function webhook(svc: TestService, body: unknown) {
  const res = await svc.api('/api/v1/alertmanager/webhook', {
    method: 'POST',
    scope: 'alertmanager',
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { incidents: Array<{ id: number }> }).incidents[0]?.id;
}

/** Polls the incident until it holds `count` diagnostics events (snapshots are taken after the webhook answers). */
async function snapshots(svc: TestService, id: number, count: number): Promise<TimelineEvent[]> {
  for (let i = 0; i < 200; i++) {
    const d = (await (await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' })).json()) as {
      timeline: TimelineEvent[];
    };
    const found = d.timeline.filter((e) => e.kind === 'diagnostics');
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`incident ${id} did not get ${count} diagnostics snapshot(s)`);
}

describe('automatic diagnostics from the service itself', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(() => svc.close());

  test('an incident opening attaches slow queries, route error rate and p95, process state', async () => {
    await ingest(svc, [
      ...Array.from({ length: 3 }, () => ({
        kind: 'request',
        method: 'GET',
        route: '/api/calls',
        status: 200,
        durationMs: 120,
      })),
      { kind: 'request', method: 'GET', route: '/api/calls', status: 503, durationMs: 900 },
      {
        kind: 'query',
        dbSystem: 'postgresql',
        sql: "select * from calls where customer_id = 42 and state = 'open'",
        durationMs: 450,
        route: '/api/calls',
      },
    ]);
    const id = await webhook(
      svc,
      amPayload('{}:{alertname="Latency"}', [
        { labels: { alertname: 'Latency', route: '/api/calls', severity: 'critical' } },
      ]),
    );
    const [snap] = await snapshots(svc, id, 1);
    expect(snap.author).toBe('perfwatch');
    expect(snap.message).toBe('Diagnostics snapshot (opened)');
    const d = snap.data;
    expect(d.route).toBe('/api/calls');
    expect(d.slowQueries.status).toBe('ok');
    expect((d.slowQueries.items as Array<{ fingerprint: string }>)[0].fingerprint).toBe(
      'select * from calls where customer_id = ? and state = ?',
    );
    expect(d.http).toMatchObject({ status: 'ok', requests: 4, errors: 1, errorRate: 0.25 });
    // histogram_quantile over the route's buckets: 3 in (0.1, 0.2], 1 in (0.75, 1]; rank 3.8 of 4.
    expect(d.http.p95Seconds).toBeCloseTo(0.95, 5);
    expect(d.process).toMatchObject({ status: 'ok' });
    expect(d.process.eventLoopLagP99Seconds).toEqual(expect.any(Number));
    expect(d.prometheus).toEqual({ status: 'unavailable', message: 'prometheus.url is not configured' });
    expect(d.dbPools.status).toBe('unavailable');
  });

  test('escalation to the top severity attaches another snapshot; a lesser escalation does not', async () => {
    const key = '{}:{alertname="Escalating"}';
    const labels = { alertname: 'Escalating' };
    const id = await webhook(svc, amPayload(key, [{ labels: { ...labels, severity: 'warning' } }]));
    await snapshots(svc, id, 1);
    await webhook(
      svc,
      amPayload(key, [
        { labels: { ...labels, severity: 'warning' } },
        { labels: { ...labels, severity: 'critical' } },
      ]),
    );
    await webhook(
      svc,
      amPayload(key, [
        { labels: { ...labels, severity: 'warning' } },
        { labels: { ...labels, severity: 'critical' } },
        { labels: { ...labels, severity: 'emergency' } },
      ]),
    );
    const all = await snapshots(svc, id, 2);
    expect(all.map((e) => e.message)).toEqual([
      'Diagnostics snapshot (opened)',
      'Diagnostics snapshot (escalated to critical)',
    ]);
  });

  test('a snapshot on request is recorded under the requesting user', async () => {
    const created = (await (
      await svc.api('/api/v1/incidents', {
        method: 'POST',
        scope: 'write',
        body: JSON.stringify({ title: 'manual', severity: 'low' }),
      })
    ).json()) as { id: number };
    const res = await svc.api(`/api/v1/incidents/${created.id}/diagnostics`, {
      method: 'POST',
      scope: 'write',
      headers: { 'X-Grafana-User': 'erin' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ reason: 'requested by erin', process: { status: 'ok' } });
    const events = await snapshots(svc, created.id, 2);
    expect(events.map((e) => e.author).sort()).toEqual(['erin', 'perfwatch']);
  });
});

describe('bounded diagnostics', () => {
  let silent: net.Server;
  let svc: TestService;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    // A "Prometheus" that accepts connections and never answers.
    silent = net.createServer((socket) => {
      socket.resume(); // read (and ignore) the request, so a client's close is seen
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const { port } = silent.address() as net.AddressInfo;
    svc = await startTestService({
      prometheus: { url: `http://127.0.0.1:${port}`, timeoutMs: 10_000 },
      incidents: { diagnostics: { timeoutMs: 400, maxBytes: 2_048 } },
    });
  });
  afterAll(async () => {
    await svc.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  test('a source that does not answer in time is noted as timed out and the snapshot is still stored', async () => {
    const id = await webhook(svc, amPayload('{}:{hang}', [{ labels: { alertname: 'Hang', route: '/x' } }]));
    const [snap] = await snapshots(svc, id, 1);
    expect(snap.data.prometheus).toEqual({ status: 'timeout', message: 'not collected within 400 ms' });
    expect(snap.data.process.status).toBe('ok');
    expect(snap.message).toBe('Diagnostics snapshot (opened); some parts could not be collected');
  });

  test('queries cut off by the deadline close their connections', async () => {
    const id = await webhook(svc, amPayload('{}:{hang2}', [{ labels: { alertname: 'Hang2' } }]));
    await snapshots(svc, id, 1);
    for (let i = 0; i < 100 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sockets.size).toBe(0);
  });

  test('a snapshot larger than maxBytes is trimmed to fit', async () => {
    const columns = Array.from({ length: 150 }, (_, i) => `column_number_${i}`).join(', ');
    await ingest(
      svc,
      Array.from({ length: 5 }, (_, i) => ({
        kind: 'query',
        dbSystem: 'postgresql',
        sql: `select ${columns} from table_${String.fromCharCode(97 + i)}`,
        durationMs: 300,
      })),
    );
    const id = await webhook(svc, amPayload('{}:{big}', [{ labels: { alertname: 'Big' } }]));
    const [snap] = await snapshots(svc, id, 1);
    expect(snap.data.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(snap.data))).toBeLessThanOrEqual(2_048);
  });
});

describe('diagnostics honour prometheus.retries', () => {
  /** A Prometheus that fails the first attempt at each query with a 503, then answers it. */
  async function flaky(): Promise<{ url: string; server: http.Server }> {
    const attempts = new Map<string, number>();
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const n = (attempts.get(body) ?? 0) + 1;
        attempts.set(body, n);
        if (n === 1) {
          res.writeHead(503).end('{"status":"error","errorType":"unavailable","error":"warming up"}');
          return;
        }
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: { instance: 'a' }, value: [1, '0.5'] }] },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, server };
  }

  for (const [retries, expected] of [
    [1, 'ok'],
    [0, 'error'],
  ] as const)
    test(`with retries: ${retries} a Prometheus that fails each query once gives "${expected}"`, async () => {
      const { url, server } = await flaky();
      const svc = await startTestService({ prometheus: { url, timeoutMs: 1000, retries } });
      try {
        const id = await webhook(svc, amPayload('{}:{flaky}', [{ labels: { alertname: 'Flaky' } }]));
        const [snap] = await snapshots(svc, id, 1);
        expect(snap.data.prometheus.status).toBe(expected);
      } finally {
        await svc.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
});

describe('histogram quantile', () => {
  test('interpolates linearly inside the bucket holding the rank, like Prometheus', () => {
    // 100 observations: 50 ≤ 0.1 s, 90 ≤ 0.2 s, 100 ≤ 0.5 s. p95 lies halfway through (0.2, 0.5].
    expect(
      histogramQuantile(0.95, [
        [0.1, 50],
        [0.2, 90],
        [0.5, 100],
        [Infinity, 100],
      ]),
    ).toBeCloseTo(0.35, 10);
  });

  test('a rank in the +Inf bucket answers the highest finite bound', () => {
    expect(
      histogramQuantile(0.99, [
        [0.1, 10],
        [Infinity, 20],
      ]),
    ).toBe(0.1);
  });

  test('no observations answer null', () => {
    expect(
      histogramQuantile(0.95, [
        [0.1, 0],
        [Infinity, 0],
      ]),
    ).toBeNull();
  });
});

describe('diagnostics from a real Prometheus', () => {
  let svc: TestService;
  let dir: string;
  let promUrl: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-prom-'));
    const [servicePort, promPort] = [await freePort(), await freePort()];
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: perfwatch
    static_configs: [{ targets: ['127.0.0.1:${servicePort}'] }]
`,
    );
    start('prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    svc = await startTestService({
      server: { port: servicePort },
      prometheus: { url: promUrl },
      incidents: { diagnostics: { enabled: false } },
    });
    await waitForHttp(`${promUrl}/-/ready`);
  });
  afterAll(async () => {
    await killAll();
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves once Prometheus has scraped the service `n` more times. */
  async function scrapes(n: number) {
    const count = async () => {
      const res = await fetch(`${promUrl}/api/v1/query?query=count_over_time(up{job="perfwatch"}[10m])`);
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(body.data.result[0]?.value[1] ?? 0);
    };
    const target = (await count()) + n;
    for (let i = 0; i < 150 && (await count()) < target; i++) await new Promise((r) => setTimeout(r, 100));
  }

  test('the route error rate and p95 over 5 minutes come from Prometheus', async () => {
    const batch = [
      ...Array.from({ length: 9 }, () => ({
        kind: 'request',
        method: 'GET',
        route: '/api/calls',
        status: 200,
        durationMs: 80,
      })),
      { kind: 'request', method: 'GET', route: '/api/calls', status: 500, durationMs: 80 },
    ];
    await ingest(svc, batch);
    await scrapes(2);
    await ingest(svc, batch);
    await scrapes(2);
    const created = (await (
      await svc.api('/api/v1/incidents', {
        method: 'POST',
        scope: 'write',
        body: JSON.stringify({ title: 'calls failing', labels: { route: '/api/calls', job: 'perfwatch' } }),
      })
    ).json()) as { id: number };
    const res = await svc.api(`/api/v1/incidents/${created.id}/diagnostics`, {
      method: 'POST',
      scope: 'write',
    });
    const snap = (await res.json()) as {
      prometheus: { status: string; queries: Array<{ name: string; series?: Array<{ value: number }> }> };
    };
    expect(snap.prometheus.status).toBe('ok');
    const q = (name: string) => snap.prometheus.queries.find((x) => x.name === name)!;
    expect(q('errorRate5m').series![0].value).toBeCloseTo(0.1, 5);
    expect(q('p95Seconds5m').series![0].value).toBeGreaterThan(0.05);
    expect(q('p95Seconds5m').series![0].value).toBeLessThanOrEqual(0.1);
    expect(q('residentMemoryBytes').series![0].value).toBeGreaterThan(0);
  });
});
