import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { OVERFLOW_VALUE } from '../src/core/label-guard';
import { Recorder } from '../src/core/recorder';
import { expressMiddleware } from '../src/instrument/express';
import { instrumentHttpServer } from '../src/instrument/http';
import { series } from './support/prom-text';

const N = 100_000;

/** Sends N GETs to distinct random paths over keep-alive connections, 64 in flight. */
async function flood(port: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const path = `/${Math.random().toString(36).slice(2)}/${sent}`;
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  const worker = async () => {
    while (sent < N) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  agent.destroy();
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('label cardinality under 100 000 distinct paths', () => {
  jest.setTimeout(180_000);

  test('express: every unmatched path collapses into one series', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    const app = express();
    app.use(expressMiddleware({ recorder, express }));
    app.get('/health', (_q, s) => void s.send('ok'));
    const server = http.createServer(app);
    await flood(await listen(server));
    server.close();
    await new Promise((r) => setImmediate(r));
    const text = await registry.metrics();
    const counts = series(text, 'http_server_request_duration_seconds_count');
    expect(counts.map((s) => s.labels.route)).toEqual(['__unmatched__']);
    expect(counts[0].value).toBe(N);
  });

  test('a resolver that leaks raw paths is held at the route cap and the fold is counted', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry, { routes: 50, values: 50 });
    const server = http.createServer((_req, res) => res.end('ok'));
    // Deliberately bad: a raw path as the route. The cap is the last line of defence.
    instrumentHttpServer(server, { recorder, route: (req) => req.url?.split('/')[1] });
    await flood(await listen(server));
    server.close();
    await new Promise((r) => setImmediate(r));
    const text = await registry.metrics();
    const routes = new Set(
      series(text, 'http_server_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect(routes.size).toBe(51);
    expect(routes.has(OVERFLOW_VALUE)).toBe(true);
    const total = series(text, 'http_server_request_duration_seconds_count').reduce((a, s) => a + s.value, 0);
    expect(total).toBe(N);
    const folded = series(text, 'perfwatch_label_values_folded_total', {
      metric: 'http_server_request_duration_seconds',
      label: 'route',
    });
    expect(folded[0].value).toBe(N - 50);
  });
});
