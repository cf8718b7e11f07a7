import { startTestService, type TestService } from './support/service';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe('API authentication and errors', () => {
  test('no token gives 401 JSON with a WWW-Authenticate challenge', async () => {
    const res = await svc.api('/api/v1/status');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringMatching(/Bearer/) },
    });
  });

  test('an unknown token gives 401', async () => {
    const res = await svc.api('/api/v1/status', {
      headers: { authorization: 'Bearer not-a-real-token-123456' },
    });
    expect(res.status).toBe(401);
  });

  test('a token without the scope gives 403 JSON naming the scope', async () => {
    const res = await svc.api('/api/v1/status', { scope: 'ingest' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { message: expect.stringMatching(/"ingester" lacks the "read" scope/) },
    });
  });

  test('a read token reads the status', async () => {
    const res = await svc.api('/api/v1/status', { scope: 'read' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ store: { kind: 'sqlite', schemaVersion: expect.any(Number) } });
  });

  test('a write token also has read', async () => {
    const res = await svc.api('/api/v1/whoami', { scope: 'write' });
    expect(await res.json()).toEqual({
      name: 'writer',
      scopes: ['read', 'write'],
      userHeader: 'x-grafana-user',
      user: null,
    });
  });

  test('whoami names the acting user from the user header Grafana sends', async () => {
    const res = await svc.api('/api/v1/whoami', { scope: 'read', headers: { 'x-grafana-user': 'alice' } });
    expect(await res.json()).toMatchObject({ user: 'alice' });
  });

  test('an unknown API path is a JSON 404', async () => {
    const res = await svc.api('/api/v1/nope', { scope: 'read' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  test('invalid JSON is a JSON 400', async () => {
    const res = await svc.api('/api/v1/status', { method: 'POST', body: '{"a":', scope: 'read' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  test('an oversized body is a JSON 413 naming the limit', async () => {
    const res = await svc.api('/api/v1/status', {
      method: 'POST',
      body: JSON.stringify({ x: 'a'.repeat(2_000_000) }),
      scope: 'read',
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { message: expect.stringMatching(/limit of 1048576 bytes/) },
    });
  });
});

describe('health endpoints', () => {
  test('/healthz answers without a token', async () => {
    expect((await svc.api('/healthz')).status).toBe(200);
  });

  test('/readyz reports the store reachable', async () => {
    const res = await svc.api('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', store: 'sqlite' });
  });
});
