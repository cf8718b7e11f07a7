import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { AlertmanagerClient, AlertmanagerError } from '../src/upstream/alertmanager';
import { PrometheusClient, PrometheusError } from '../src/upstream/prometheus';
import { TransportError, Upstream } from '../src/upstream/transport';

/** Real local servers, closed after each test with every socket they accepted. */
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: net.Server): Promise<string> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A peer that accepts connections and never says a word; hands each socket to `onSocket`. */
const silent = (onSocket: (s: net.Socket) => void = () => undefined) =>
  listen(
    net.createServer((s) => {
      s.on('error', () => undefined); // a reset from the client is what some tests wait for
      s.resume(); // a paused socket never reports the client's close
      onSocket(s);
    }),
  );

/** Resolves once the client has closed its end of `socket` (FIN or reset); never, if it keeps it open. */
async function closedByClient(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return;
  await once(socket, 'close');
}

/** An HTTP server answering the n-th request (from 0) with `answer(n)`; counts requests. */
function scripted(answer: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req);
      answer(seen.length - 1, req, res);
    });
  });
  return { seen, url: listen(server) };
}

const vector = (value: string) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [1, value] }] },
  });

describe('the upstream transport', () => {
  test('a peer that never answers fails at the deadline and its connection is closed', async () => {
    let socket: net.Socket | undefined;
    const url = await silent((s) => (socket = s));
    const upstream = new Upstream({ name: 'Prometheus', url, timeoutMs: 200, retries: 0 });
    const err = await upstream.once('/api/v1/query').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('timeout');
    expect((err as TransportError).message).toBe(`Prometheus at ${url} did not answer within 200 ms`);
    // Closed by us, not left for undici's or the kernel's timeouts: the peer sees the end now.
    await closedByClient(socket!);
  });

  test('the deadline covers the body: headers then silence fail too, and close the connection', async () => {
    let socket: net.Socket | undefined;
    const url = await silent((s) => {
      socket = s;
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"status":'));
    });
    const upstream = new Upstream({ name: 'Prometheus', url, timeoutMs: 300, retries: 0 });
    const err = (await upstream.once('/x').catch((e: unknown) => e)) as TransportError;
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe(`Prometheus at ${url} did not finish answering within 300 ms`);
    await closedByClient(socket!);
  });

  test('retries a refused or reset connection as often as configured, then gives up', async () => {
    let connections = 0;
    const url = await listen(
      net.createServer((s) => {
        connections++;
        s.resetAndDestroy();
      }),
    );
    const upstream = new Upstream({ name: 'Alertmanager', url, timeoutMs: 1000, retries: 2 });
    const err = (await upstream
      .retrying(() => upstream.once('/'))
      .catch((e: unknown) => e)) as TransportError;
    expect(err.kind).toBe('unreachable');
    expect(err.message).toMatch(/^Alertmanager at http:\/\/127\.0\.0\.1:\d+ is not reachable \(.+\)$/);
    expect(connections).toBe(3);
  });

  test("the caller's signal cancels the attempt and the retries, and closes the connection", async () => {
    let socket: net.Socket | undefined;
    let connections = 0;
    const written = new Promise<void>((resolve) => {
      void silent((s) => {
        connections++;
        socket = s;
        s.once('data', () => resolve());
      }).then((url) => {
        const upstream = new Upstream({ name: 'Prometheus', url, timeoutMs: 10_000, retries: 3 });
        pending = upstream.retrying(
          () => upstream.once('/', { signal: controller.signal }),
          undefined,
          controller.signal,
        );
        pending.catch(() => undefined);
      });
    });
    const controller = new AbortController();
    let pending: Promise<unknown> | undefined;
    // The request is on the wire and the peer is silent: the case fetch left open.
    await written;
    controller.abort(new Error('diagnostics budget spent'));
    await expect(pending).rejects.toThrow('diagnostics budget spent');
    await closedByClient(socket!);
    expect(connections).toBe(1);
  });

  test('an answer larger than the cap is refused', async () => {
    const { url } = scripted((_n, _req, res) => res.end('x'.repeat(5 * 1024 * 1024)));
    const upstream = new Upstream({ name: 'Prometheus', url: await url, timeoutMs: 5000, retries: 0 });
    await expect(upstream.once('/')).rejects.toMatchObject({ kind: 'too_large' });
  });

  test('credentials in the URL go in a basic-auth header, and a path prefix is kept', async () => {
    const { seen, url } = scripted((_n, _req, res) => res.end('{}'));
    const base = (await url).replace('http://', 'http://user:s%40cret@') + '/prom/';
    const upstream = new Upstream({ name: 'Prometheus', url: base, timeoutMs: 1000, retries: 0 });
    await upstream.once('/api/v1/query?query=up');
    expect(seen[0].url).toBe('/prom/api/v1/query?query=up');
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('user:s@cret').toString('base64')}`);
    expect(upstream.displayUrl).toBe(`${(await url).replace('http://', 'http://user:***@')}/prom`);
  });
});

describe('the Prometheus client on the transport', () => {
  test('a 5xx is retried as configured and the next answer is used', async () => {
    const { seen, url } = scripted((n, _req, res) => {
      if (n < 2) res.writeHead(500).end('{"status":"error","errorType":"internal","error":"boom"}');
      else res.end(vector('42'));
    });
    const prometheus = new PrometheusClient({ url: await url, timeoutMs: 1000, retries: 2 });
    expect(await prometheus.query('up')).toEqual([{ labels: { job: 'a' }, value: 42 }]);
    expect(seen).toHaveLength(3);
  });

  test('fewer retries than failures: the last failure is thrown', async () => {
    const { seen, url } = scripted((_n, _req, res) =>
      res.writeHead(500).end('{"status":"error","errorType":"internal","error":"boom"}'),
    );
    const prometheus = new PrometheusClient({ url: await url, timeoutMs: 1000, retries: 1 });
    await expect(prometheus.query('up')).rejects.toMatchObject({ kind: 'bad_response' });
    expect(seen).toHaveLength(2);
  });

  test('a bad query is not retried', async () => {
    const { seen, url } = scripted((_n, _req, res) =>
      res.writeHead(400).end('{"status":"error","errorType":"bad_data","error":"parse error"}'),
    );
    const prometheus = new PrometheusClient({ url: await url, timeoutMs: 1000, retries: 3 });
    const err = (await prometheus.query('up{').catch((e: unknown) => e)) as PrometheusError;
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.kind).toBe('query');
    expect(seen).toHaveLength(1);
  });

  test('the query goes as a form POST', async () => {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
        res.end(vector('1'));
      });
    });
    const prometheus = new PrometheusClient({ url: await listen(server), timeoutMs: 1000, retries: 0 });
    await prometheus.query('sum(up{job="a b"})', { time: 1700000000 });
    expect(bodies).toEqual([
      'POST /api/v1/query application/x-www-form-urlencoded query=sum%28up%7Bjob%3D%22a+b%22%7D%29&time=1700000000',
    ]);
  });
});

describe('the Alertmanager client on the transport', () => {
  test('a silence request that times out is not repeated (it may have been created)', async () => {
    let connections = 0;
    const url = await silent(() => connections++);
    const am = new AlertmanagerClient({ url, timeoutMs: 200 });
    const err = await am
      .createSilence({
        labels: { a: 'b' },
        startsAt: new Date(),
        endsAt: new Date(),
        createdBy: 'x',
        comment: 'y',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlertmanagerError);
    expect((err as Error).message).toBe(`Alertmanager at ${url} is unreachable: no answer within 200 ms`);
    expect(connections).toBe(1);
  });
});
