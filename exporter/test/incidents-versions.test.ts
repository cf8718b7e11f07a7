/*
 * Optimistic concurrency on lifecycle changes: GET /incidents/{id} answers an ETag (the incident's
 * version), a change sent with If-Match applies only to that version, and a stale one is a 409, so two
 * people editing the same incident never silently overwrite each other. Without If-Match a change
 * applies to whatever is current (the behaviour before ETags, kept for existing clients).
 */
import { pgUrlWithSchema } from '../library/test/support/env';
import { startTestService, type TestService } from './support/service';

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(['sqlite', 'postgres'])('incident versions on %s', (kind) => {
  let svc: TestService;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let store = {};
    if (kind === 'postgres') {
      const pg = await pgUrlWithSchema();
      dropSchema = pg.drop;
      store = { url: pg.url };
    }
    svc = await startTestService({ store, incidents: { diagnostics: { enabled: false } } });
  });
  afterAll(async () => {
    await svc.close();
    await dropSchema?.();
  });

  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    svc.api(`/api/v1/incidents${p}`, { method: 'POST', body: JSON.stringify(body), scope: 'write', headers });

  async function created(): Promise<{ id: number; etag: string }> {
    const res = await post('', { title: 'Checkout is slow', severity: 'high' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const got = await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' });
    return { id, etag: got.headers.get('etag')! };
  }

  test('reading an incident gives its version as a strong ETag', async () => {
    const { etag } = await created();
    expect(etag).toMatch(/^"\d+"$/);
  });

  test('a change against the current version applies and answers the new version', async () => {
    const { id, etag } = await created();
    const res = await post(`/${id}/status`, { status: 'identified' }, { 'if-match': etag });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(etag);
    const now = await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' });
    expect(now.headers.get('etag')).toBe(res.headers.get('etag'));
  });

  test('a change against a version someone else changed since is refused with 409 and changes nothing', async () => {
    const { id, etag } = await created();
    // Two people read the same version; the first assigns, the second, unaware, sets a status.
    expect((await post(`/${id}/assign`, { assignee: 'alice' }, { 'if-match': etag })).status).toBe(200);
    const stale = await post(`/${id}/status`, { status: 'monitoring' }, { 'if-match': etag });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as ErrorBody).error.code).toBe('stale_change');
    const after = (await (await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' })).json()) as {
      status: string;
      assignee: string;
    };
    expect(after).toMatchObject({ status: 'investigating', assignee: 'alice' });
  });

  test('two changes in the same millisecond still get different versions', async () => {
    const { id } = await created();
    const tags = new Set<string>();
    for (const note of ['one', 'two', 'three']) {
      const res = await post(`/${id}/notes`, { text: note });
      tags.add(res.headers.get('etag')!);
    }
    expect(tags.size).toBe(3);
  });

  test('an If-Match that is not one of our ETags is a 400 that says what to send', async () => {
    const { id } = await created();
    const res = await post(`/${id}/acknowledge`, {}, { 'if-match': '*' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toContain('If-Match');
  });
});
