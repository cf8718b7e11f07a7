/**
 * docs/scaling.md's Node cluster mode, verified: four workers behind one port record through
 * perfwatch() into prom-client's global registry; the primary serves prom-client's AggregatorRegistry;
 * each worker also serves its own /metrics. A known number of requests must add up exactly in the
 * aggregate and across the per-worker scrapes, and the gauges aggregate as documented.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { parsePromText, type Sample } from '../../../exporter/library/test/support/prom-text';
import { freePort } from '../../src/processes';

jest.setTimeout(120_000);

const WORKERS = 4;
const OK = 360;
const FAILED = 40;
const ROUTE = '/api/items/:id';
const measured: Record<string, number> = {};

interface Urls {
  appUrl: string;
  aggregateUrl: string;
  workerUrls: string[];
}

/** One request on a connection of its own, so the primary hands it to the next worker. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const scrape = async (url: string): Promise<Sample[]> => parsePromText(await (await fetch(url)).text());
const pick = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
const total = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  pick(samples, name, match).reduce((sum, s) => sum + s.value, 0);

describe('Node cluster mode with four workers', () => {
  let primary: ChildProcess;
  let urls: Urls;
  let aggregate: Sample[];
  let perWorker: Sample[][];

  beforeAll(async () => {
    primary = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'cluster-app.cjs')], {
      env: { ...process.env, WORKERS: String(WORKERS), APP_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    urls = await new Promise<Urls>((resolve, reject) => {
      readline
        .createInterface({ input: primary.stdout! })
        .once('line', (l) => resolve(JSON.parse(l) as Urls));
      primary.once('exit', (code) => reject(new Error(`cluster primary exited with ${code}`)));
    });
    for (let i = 0; i < OK + FAILED; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          get(`${urls.appUrl}/api/items/${i + j}${i + j < FAILED ? '?fail=1' : ''}`),
        ),
      );
    const t0 = performance.now();
    aggregate = await scrape(urls.aggregateUrl);
    measured.aggregateScrapeMs = Math.round(performance.now() - t0);
    perWorker = await Promise.all(urls.workerUrls.map(scrape));
  });

  afterAll(async () => {
    if (primary && primary.exitCode === null) {
      const exited = new Promise((r) => primary.once('exit', r));
      primary.kill('SIGTERM');
      await exited;
    }
    console.log(`cluster mode measured: ${JSON.stringify(measured)}`);
  });

  test('every worker served part of the traffic', () => {
    expect(perWorker).toHaveLength(WORKERS);
    const served = perWorker.map((w) =>
      total(w, 'http_server_request_duration_seconds_count', { route: ROUTE }),
    );
    expect(served.every((n) => n > 0)).toBe(true);
    measured.fewestRequestsOnOneWorker = Math.min(...served);
  });

  test('request counters add up exactly in the aggregate, per status', () => {
    const count = (status: string) =>
      total(aggregate, 'http_server_request_duration_seconds_count', { route: ROUTE, status_code: status });
    expect(count('200')).toBe(OK);
    expect(count('500')).toBe(FAILED);
  });

  test('every histogram bucket of the aggregate is the sum of the workers’ buckets', () => {
    const buckets = pick(aggregate, 'http_server_request_duration_seconds_bucket', { route: ROUTE });
    expect(buckets.length).toBeGreaterThan(10);
    for (const b of buckets) {
      const sum = perWorker.reduce(
        (acc, w) => acc + total(w, 'http_server_request_duration_seconds_bucket', b.labels),
        0,
      );
      expect(b.value).toBe(sum);
    }
    const inf = buckets.filter((b) => b.labels.le === '+Inf').reduce((a, b) => a + b.value, 0);
    expect(inf).toBe(OK + FAILED);
  });

  test('per-worker scrapes add up to the same totals (the other option)', () => {
    const sum = perWorker.reduce(
      (acc, w) => acc + total(w, 'http_server_request_duration_seconds_count', { route: ROUTE }),
      0,
    );
    expect(sum).toBe(OK + FAILED);
  });

  test('gauges aggregate as documented: memory sums, event-loop lag becomes one averaged series, start time is left out', () => {
    const rss = total(aggregate, 'process_resident_memory_bytes');
    const workersRss = perWorker.map((w) => total(w, 'process_resident_memory_bytes'));
    // Summed (each worker measured at a slightly different instant of its own scrape).
    expect(rss).toBeGreaterThan(Math.max(...workersRss) * (WORKERS - 1));
    measured.aggregateRssMiB = Math.round(rss / 2 ** 20);
    // prom-client marks event-loop lag aggregator: 'average' (max for _max, min for _min): one series
    // for the whole cluster, so one stuck worker is diluted four times. Read lag per worker instead.
    expect(pick(aggregate, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(perWorker.every((w) => pick(w, 'nodejs_eventloop_lag_seconds').length === 1)).toBe(true);
    expect(pick(aggregate, 'process_start_time_seconds')).toEqual([]);
    // The in-flight gauge sums: nothing is in flight between requests.
    expect(total(aggregate, 'http_server_active_requests')).toBe(0);
  });
});
