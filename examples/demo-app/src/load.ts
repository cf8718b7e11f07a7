/**
 * Open-loop load for the demo shop: a steady request rate over a realistic mix of endpoints, with an
 * optional schedule that switches the shop's phase (PUT /admin/phase) as it goes. Bounded: at most
 * `maxInFlight` requests are outstanding; requests that would exceed it are skipped and counted.
 */
import { PRODUCT_COUNT } from './schema';
import { parsePhase } from './phases';

export interface ScheduleStep {
  phase: string;
  seconds: number;
}

export interface LoadOptions {
  target: string;
  /** Requests per second over the whole mix. */
  rps: number;
  /** Stop after this long; runs until `signal` aborts otherwise. */
  durationSeconds?: number;
  /** Phase steps applied in order (repeated when `loop`). */
  schedule?: ScheduleStep[];
  loop?: boolean;
  adminToken?: string;
  maxInFlight?: number;
  signal?: AbortSignal;
  /** Called every `reportEveryMs` with the counts since the previous report. */
  onReport?: (r: LoadReport) => void;
  reportEveryMs?: number;
}

export interface LoadReport {
  phase: string;
  sent: number;
  byStatus: Record<string, number>;
  skipped: number;
  failed: number;
}

type Call = () => Promise<Response>;

/** The mix: weight and how to call each endpoint. */
function mix(target: string): Array<[number, Call]> {
  const product = () => 1 + Math.floor(Math.random() * PRODUCT_COUNT);
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const words = ['1', '2', '3', '7', '42', 'Product 1', 'Product 9', 'x'];
  return [
    [35, () => fetch(`${target}/api/products/${product()}`)],
    [
      12,
      () => fetch(`${target}/api/products?category=${['books', 'games', 'toys', 'music'][product() % 4]}`),
    ],
    [20, () => fetch(`${target}/api/search?q=${encodeURIComponent(words[product() % words.length])}`)],
    [20, () => fetch(`${target}/api/checkout`, json({ productId: product(), qty: 1 + (product() % 3) }))],
    [
      5,
      () => {
        const form = new FormData();
        const size = 1024 * (4 + Math.floor(Math.random() * 300));
        form.append('file', new Blob([Buffer.alloc(size, 'perfwatch demo upload ')]), 'upload.txt');
        return fetch(`${target}/api/upload`, { method: 'POST', body: form });
      },
    ],
    [4, () => fetch(`${target}/api/reports/export`, json({ rows: 200 }))],
    [2, () => fetch(`${target}/api/products/0`)], // a client bug: 400s are part of real traffic
    [2, () => fetch(`${target}/favicon.ico`)], // unmatched route
  ];
}

function pick(entries: Array<[number, Call]>): Call {
  const total = entries.reduce((s, [w]) => s + w, 0);
  let r = Math.random() * total;
  for (const [w, call] of entries) {
    r -= w;
    if (r < 0) return call;
  }
  return entries[entries.length - 1][1];
}

export function parseSchedule(text: string): ScheduleStep[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((step) => {
      const m = /^([a-z+-]+):(\d+)$/.exec(step);
      if (!m) throw new Error(`schedule step "${step}" must look like phase:seconds, e.g. slow-checkout:120`);
      parsePhase(m[1].replace(/\+/g, ','));
      return { phase: m[1].replace(/\+/g, ','), seconds: Number(m[2]) };
    });
}

export async function setPhase(target: string, phase: string, adminToken?: string): Promise<void> {
  const res = await fetch(`${target}/admin/phase`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}),
    },
    body: JSON.stringify({ phase }),
  });
  if (!res.ok) throw new Error(`setting phase ${phase}: ${res.status} ${await res.text()}`);
}

/** Runs until the duration ends or the signal aborts; resolves with the totals. */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const calls = mix(o.target.replace(/\/$/, ''));
  const maxInFlight = o.maxInFlight ?? 200;
  const started = Date.now();
  const total: LoadReport = { phase: '', sent: 0, byStatus: {}, skipped: 0, failed: 0 };
  let window: LoadReport = { phase: '', sent: 0, byStatus: {}, skipped: 0, failed: 0 };
  let inFlight = 0;
  let phase = '';

  const schedule = o.schedule ?? [];
  let step = -1;
  let stepEnds = 0;
  const advance = async () => {
    if (schedule.length === 0) return;
    if (step >= 0 && Date.now() < stepEnds) return;
    if (step + 1 >= schedule.length && !o.loop) return;
    step = (step + 1) % schedule.length;
    stepEnds = Date.now() + schedule[step].seconds * 1000;
    phase = schedule[step].phase;
    await setPhase(o.target, phase, o.adminToken).catch((err: Error) =>
      console.error(JSON.stringify({ msg: 'phase change failed', error: err.message })),
    );
  };

  const fire = () => {
    if (inFlight >= maxInFlight) {
      total.skipped++;
      window.skipped++;
      return;
    }
    inFlight++;
    total.sent++;
    window.sent++;
    pick(calls)()
      .then(async (res) => {
        await res.arrayBuffer();
        const k = String(res.status);
        total.byStatus[k] = (total.byStatus[k] ?? 0) + 1;
        window.byStatus[k] = (window.byStatus[k] ?? 0) + 1;
      })
      .catch(() => {
        total.failed++;
        window.failed++;
      })
      .finally(() => inFlight--);
  };

  const tickMs = 50;
  let credit = 0;
  let lastTick = Date.now();
  let lastReport = Date.now();
  while (!o.signal?.aborted) {
    if (o.durationSeconds !== undefined && Date.now() - started >= o.durationSeconds * 1000) break;
    await advance();
    // Credit from elapsed time, not tick count: timers drift, the rate must not.
    const now = Date.now();
    credit = Math.min(credit + (o.rps * (now - lastTick)) / 1000, o.rps);
    lastTick = now;
    while (credit >= 1) {
      credit -= 1;
      fire();
    }
    if (o.onReport && Date.now() - lastReport >= (o.reportEveryMs ?? 10_000)) {
      window.phase = phase;
      o.onReport(window);
      window = { phase, sent: 0, byStatus: {}, skipped: 0, failed: 0 };
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  // Let outstanding requests finish (bounded wait).
  const deadline = Date.now() + 5000;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  total.phase = phase;
  return total;
}
