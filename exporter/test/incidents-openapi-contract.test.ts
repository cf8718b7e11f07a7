/**
 * The Grafana plugin is written against the response schemas in openapi.yaml: real answers must carry
 * exactly the documented fields (names and presence), so neither side drifts silently.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { amPayload } from './support/alertmanager';
import { startTestService, type TestService } from './support/service';

interface Schema {
  required?: string[];
  properties?: Record<string, unknown>;
  allOf?: Schema[];
  $ref?: string;
}
const spec = parse(readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
};

/** Every property name a schema documents, following $ref and allOf. */
function documented(s: Schema): string[] {
  if (s.$ref) return documented(spec.components.schemas[s.$ref.split('/').pop()!]);
  return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(documented)].sort();
}
function required(s: Schema): string[] {
  if (s.$ref) return required(spec.components.schemas[s.$ref.split('/').pop()!]);
  return [...(s.required ?? []), ...(s.allOf ?? []).flatMap(required)].sort();
}
const responseSchema = (p: string, method: string, status: string) =>
  spec.paths[p][method].responses[status].content!['application/json'].schema;

let svc: TestService;
let id: number;
beforeAll(async () => {
  svc = await startTestService({ incidents: { diagnostics: { enabled: false } } });
  const res = await svc.api('/api/v1/alertmanager/webhook', {
    method: 'POST',
    scope: 'alertmanager',
    body: JSON.stringify(amPayload('{}:{c}', [{ labels: { alertname: 'Contract', severity: 'critical' } }])),
  });
  id = ((await res.json()) as { incidents: Array<{ id: number }> }).incidents[0].id;
});
afterAll(() => svc.close());

const get = async (p: string) =>
  (await (await svc.api(`/api/v1${p}`, { scope: 'read' })).json()) as Record<string, unknown>;
const keys = (o: object) => Object.keys(o).sort();

test('an incident in a list has exactly the Incident fields', async () => {
  const list = await get('/incidents');
  expect(keys(list)).toEqual(documented(responseSchema('/incidents', 'get', '200')));
  const [item] = list.items as object[];
  expect(keys(item)).toEqual(documented({ $ref: '#/components/schemas/Incident' }));
  expect(keys(item)).toEqual(required({ $ref: '#/components/schemas/Incident' }));
});

test('one incident has the IncidentDetail fields, its alerts and events theirs', async () => {
  const d = await get(`/incidents/${id}`);
  expect(keys(d)).toEqual(required(responseSchema('/incidents/{id}', 'get', '200')));
  expect(keys((d.alerts as object[])[0])).toEqual(required({ $ref: '#/components/schemas/IncidentAlert' }));
  expect(keys((d.timeline as object[])[0])).toEqual(required({ $ref: '#/components/schemas/TimelineEvent' }));
});

test('stats have exactly the documented fields', async () => {
  const s = await get('/incidents/stats');
  expect(keys(s)).toEqual(required(responseSchema('/incidents/stats', 'get', '200')));
  expect(keys(s.mtta as object)).toEqual(required({ $ref: '#/components/schemas/DurationStats' }));
});

test('a diagnostics snapshot has the documented parts', async () => {
  const res = await svc.api(`/api/v1/incidents/${id}/diagnostics`, { method: 'POST', scope: 'write' });
  const snap = (await res.json()) as object;
  expect(keys(snap)).toEqual(required({ $ref: '#/components/schemas/DiagnosticsSnapshot' }));
});
