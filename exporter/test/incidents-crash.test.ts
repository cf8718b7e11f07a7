/**
 * Crash test: the built CLI (`perfwatch serve`) receives a stream of Alertmanager notifications and is
 * killed with SIGKILL at a random moment. After a restart on the same store, every notification that
 * was answered 2xx must be there in full (incident, alert, timeline events), and re-sending the ones
 * cut off must not duplicate anything. Runs on SQLite (WAL, synchronous=NORMAL) and PostgreSQL.
 * Needs `npm run build -w @perfwatch/exporter` (npm test builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openStore } from '../src/store/store';
import { amPayload } from './support/alertmanager';
import { pgUrlWithSchema } from '../library/test/support/env';

jest.setTimeout(90_000);

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const TOKEN = 'crash-test-alertmanager-token-0123';
const WORKERS = 4;

function serve(storeUrl: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      PERFWATCH_PORT: '0',
      PERFWATCH_HOST: '127.0.0.1',
      PERFWATCH_STORE_URL: storeUrl,
      PERFWATCH_TOKEN_ALERTMANAGER: TOKEN,
      PERFWATCH_SYSTEM_METRICS: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'perfwatch listening' && entry.url) resolve(entry.url);
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before listening`)));
  });
  return { child, url };
}

const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

interface Sent {
  group: number;
  kind: 'firing' | 'resolved';
  body: string;
}

async function send(url: string, s: Sent): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: s.body,
    });
    await res.text();
    return res.ok;
  } catch {
    return false; // the process died under the request
  }
}

describe.each(['sqlite', 'postgres'])('kill -9 on %s', (kind) => {
  let storeUrl: string;
  let cleanup: () => Promise<void>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'pw-crash-'));
      storeUrl = `sqlite:${path.join(dir, 'perfwatch.db')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const pg = await pgUrlWithSchema();
      storeUrl = pg.url;
      cleanup = pg.drop;
    }
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await cleanup();
  });

  test('every notification answered 2xx survives, and re-sending the rest duplicates nothing', async () => {
    const run = `c${process.pid}${kind}`;
    const alertname = (g: number) => `Crash_${run}_${g}`;
    const message = (group: number, kind: Sent['kind']): Sent => {
      const labels = { alertname: alertname(group), severity: 'critical', run };
      return {
        group,
        kind,
        body: JSON.stringify(amPayload(`{}:{alertname="${alertname(group)}"}`, [{ labels, status: kind }])),
      };
    };

    const first = serve(storeUrl);
    children.push(first.child);
    const url = await first.url;

    const acknowledged: Sent[] = [];
    const unanswered: Sent[] = [];
    let next = 0;
    let dead = false;
    const worker = async () => {
      while (!dead) {
        const group = next++;
        for (const kind of ['firing', 'resolved'] as const) {
          const m = message(group, kind);
          if (await send(url, m)) acknowledged.push(m);
          else {
            unanswered.push(m);
            return;
          }
        }
      }
    };
    // Killed at a random point of the traffic, counted in acknowledged notifications rather than in
    // milliseconds: on a loaded machine a fixed delay could fall before any traffic and prove nothing.
    const killAt = 20 + Math.floor(Math.random() * 130);
    const started = Date.now();
    const workers = Promise.all(Array.from({ length: WORKERS }, worker));
    while (acknowledged.length < killAt && !dead && Date.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 5));
    const killAfter = Date.now() - started;
    first.child.kill('SIGKILL');
    dead = true;
    await exited(first.child);
    await workers;
    // A useful test needs traffic before the kill.
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAt);

    // Restart on the same store: it must come up and migrate cleanly.
    const second = serve(storeUrl);
    children.push(second.child);
    const url2 = await second.url;
    expect((await fetch(`${url2}/readyz`)).status).toBe(200);

    const store = await openStore(storeUrl);
    try {
      const incidentByName = new Map<string, { id: number; status: string }>();
      const rows = (await store
        .db('incidents')
        .join('incident_labels', 'incident_labels.incident_id', 'incidents.id')
        .where('incident_labels.name', 'alertname')
        .andWhere('incident_labels.value', 'like', `Crash_${run}_%`)
        .select('incidents.id', 'incidents.status', 'incident_labels.value as alertname')) as Array<{
        id: number | string;
        status: string;
        alertname: string;
      }>;
      for (const r of rows) incidentByName.set(r.alertname, { id: Number(r.id), status: r.status });
      const events = (await store
        .db('incident_events')
        .whereIn(
          'incident_id',
          [...incidentByName.values()].map((i) => i.id),
        )
        .select('incident_id', 'kind')) as Array<{ incident_id: number | string; kind: string }>;
      const kindsOf = (id: number) => events.filter((e) => Number(e.incident_id) === id).map((e) => e.kind);

      const missing: string[] = [];
      for (const m of acknowledged) {
        const incident = incidentByName.get(alertname(m.group));
        if (!incident) {
          missing.push(`${m.kind} ${m.group}: no incident`);
          continue;
        }
        const kinds = kindsOf(incident.id);
        const want = m.kind === 'firing' ? ['opened', 'alertFired'] : ['alertResolved', 'resolved'];
        for (const k of want) if (!kinds.includes(k)) missing.push(`${m.kind} ${m.group}: no ${k} event`);
        if (m.kind === 'resolved' && incident.status !== 'resolved') missing.push(`${m.group}: not resolved`);
      }
      expect(missing).toEqual([]);

      // Alertmanager retries what was not answered: re-send it (in order) to the restarted service.
      for (const m of unanswered.sort((a, b) => a.group - b.group || (a.kind === 'firing' ? -1 : 1)))
        expect(await send(url2, m)).toBe(true);
      const perGroup = (await store
        .db('incident_labels')
        .where('name', 'alertname')
        .andWhere('value', 'like', `Crash_${run}_%`)
        .select('value')
        .count({ n: '*' })
        .groupBy('value')) as Array<{ value: string; n: number | string }>;
      expect(perGroup.filter((g) => Number(g.n) !== 1)).toEqual([]);
      const duplicates = (await store
        .db('incident_events')
        .select('incident_id', 'kind')
        .count({ n: '*' })
        .whereIn('kind', ['opened', 'alertFired', 'alertResolved', 'resolved'])
        .groupBy('incident_id', 'kind')
        .having(store.db.raw('count(*) > 1'))) as unknown[];
      expect(duplicates).toEqual([]);
      console.log(
        `${kind}: killed after ${killAfter} ms (at ${killAt} acknowledged); ${acknowledged.length} notifications acknowledged, ${unanswered.length} cut off, all present after restart`,
      );
    } finally {
      await store.close();
      second.child.kill('SIGKILL');
    }
  });
});
