import http from 'node:http';
import net from 'node:net';
import { resolvePeriod } from '../src/sla/period';
import { freePort } from '../library/test/support/processes';
import { startTestService, type TestService } from './support/service';

const sla = { job: 'demo', endpoints: [{ route: '/api/checkout', method: 'POST', latency: 'p95 < 300ms' }] };

describe('report periods', () => {
  const now = new Date('2026-10-15T12:34:56.789Z');

  test('a rolling period ends now and spans N days', () => {
    const p = resolvePeriod('30d', now);
    expect(p.end.toISOString()).toBe('2026-10-15T12:34:56.000Z');
    expect(p.start.toISOString()).toBe('2026-09-15T12:34:56.000Z');
    expect([p.elapsedSeconds, p.durationSeconds, p.complete]).toEqual([2592000, 2592000, true]);
  });

  test('a running calendar month is evaluated from its first day to now, its budget counted over the month', () => {
    const p = resolvePeriod('2026-10', now);
    expect(p.start.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-10-15T12:34:56.000Z');
    expect(p.periodEnd.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(p.durationSeconds).toBe(31 * 86400);
    expect(p.elapsedSeconds).toBe(14 * 86400 + 12 * 3600 + 34 * 60 + 56);
    expect(p.complete).toBe(false);
  });

  test('a past month and a quarter are complete periods', () => {
    expect(resolvePeriod('2026-02', now)).toMatchObject({ durationSeconds: 28 * 86400, complete: true });
    const q = resolvePeriod('2026-Q3', now);
    expect([q.start.toISOString(), q.end.toISOString()]).toEqual([
      '2026-07-01T00:00:00.000Z',
      '2026-10-01T00:00:00.000Z',
    ]);
    expect(q.complete).toBe(true);
  });

  test('periods that have not started, or are not periods, are refused', () => {
    expect(() => resolvePeriod('2026-11', now)).toThrow(/has not started/);
    expect(() => resolvePeriod('2026-13', now)).toThrow(/no month 13/);
    expect(() => resolvePeriod('0d', now)).toThrow(/1d to 90d/);
    expect(() => resolvePeriod('1y', now)).toThrow(/unknown period/);
  });
});

describe('GET /api/v1/sla/report when Prometheus is not there', () => {
  let svc: TestService | undefined;
  const servers: Array<http.Server | net.Server> = [];
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    for (const s of servers.splice(0)) {
      if (s instanceof http.Server) s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  test('needs the read scope and a real period', async () => {
    svc = await startTestService({ sla, prometheus: { url: `http://127.0.0.1:${await freePort()}` } });
    expect((await svc.api('/api/v1/sla/report')).status).toBe(401);
    expect((await svc.api('/api/v1/sla/report', { scope: 'ingest' })).status).toBe(403);
    const res = await svc.api('/api/v1/sla/report?period=last-week', { scope: 'read' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /period: expected 30d/,
    );
    expect((await svc.api('/api/v1/sla/report?period=2999-01', { scope: 'read' })).status).toBe(400);
  });

  test('a refused connection is a 503 that says which URL and what to check, after one retry', async () => {
    const port = await freePort();
    svc = await startTestService({ sla, prometheus: { url: `http://user:secret@127.0.0.1:${port}` } });
    const started = Date.now();
    const res = await svc.api('/api/v1/sla/report', { scope: 'read' });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('prometheus_unavailable');
    expect(body.error.message).toContain(
      `Prometheus at http://user:***@127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
    );
    expect(body.error.message).toContain('PERFWATCH_PROMETHEUS_URL');
    expect(body.error.message).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a Prometheus that never answers is a 503 after the timeout and one retry, not a hang', async () => {
    const silent = net.createServer((socket) => sockets.add(socket)); // accepts, never answers
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const { port } = silent.address() as net.AddressInfo;
    svc = await startTestService({
      sla,
      prometheus: { url: `http://127.0.0.1:${port}`, timeoutMs: 300, retries: 1 },
    });
    const started = Date.now();
    const res = await svc.api('/api/v1/sla/report', { scope: 'read' });
    const took = Date.now() - started;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'did not answer within 300 ms',
    );
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(5000);
  });

  test('something that is not Prometheus answering is a 502', async () => {
    const wrong = http.createServer((_req, res) => res.end('<html>login</html>'));
    servers.push(wrong);
    await new Promise<void>((r) => wrong.listen(0, '127.0.0.1', () => r()));
    const { port } = wrong.address() as net.AddressInfo;
    svc = await startTestService({ sla, prometheus: { url: `http://127.0.0.1:${port}` } });
    const res = await svc.api('/api/v1/sla/report', { scope: 'read' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('prometheus_error');
    expect(body.error.message).toContain('not its API');
  });
});
