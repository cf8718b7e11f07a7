/*
 * Alerts an on-call engineer can trust: production situations replayed through the generated rules
 * (alert-rules/tests/scenarios.test.yml, promtool 2.42), and the rule properties they rest on.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ConfigError, parseConfig } from '../src/config/load';
import type { PerfwatchConfigInput } from '../src/config/schema';
import { generate } from '../src/sla/generate';
import { resolveSlas } from '../src/sla/model';
import { leRegex } from '../src/sla/promql-text';
import { quantileMinRequests } from '../src/sla/rule-exprs';
import { scenarioFiles } from '../src/sla/scenarios';
import { PROMTOOL } from './support/prometheus-stack';

// promtool replays hours of traffic per scenario; on a loaded 2-core machine that took 146 s.
jest.setTimeout(600_000);

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const TESTS = path.join(ROOT, 'alert-rules', 'tests');

type SlaInput = NonNullable<PerfwatchConfigInput['sla']>;

async function promtool(dir: string, file: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, ['test', 'rules', file], {
      cwd: dir,
      maxBuffer: 64 << 20,
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

interface TestFile {
  tests: Array<{ name: string }>;
  [k: string]: unknown;
}

/** Runs one named scenario against a (possibly edited) copy of the scenario rules. */
async function scenarioAgainst(name: RegExp, editRules: (rules: string) => string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-scenario-'));
  try {
    mkdirSync(path.join(dir, 'scenarios'));
    const rules = readFileSync(path.join(TESTS, 'scenarios', 'rules.yml'), 'utf8');
    const edited = editRules(rules);
    expect(edited).not.toBe(rules);
    writeFileSync(path.join(dir, 'scenarios', 'rules.yml'), edited);
    const all = parse(readFileSync(path.join(TESTS, 'scenarios.test.yml'), 'utf8')) as TestFile;
    const picked = all.tests.filter((t) => name.test(t.name));
    expect(picked).toHaveLength(1);
    writeFileSync(path.join(dir, 'one.test.yml'), stringify({ ...all, tests: picked }, { lineWidth: 0 }));
    return await promtool(dir, 'one.test.yml');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function resolve(sla: Partial<SlaInput>) {
  const config = parseConfig({ sla: { job: 'shop', ...sla } });
  return resolveSlas(config.sla, config.metrics.httpBuckets);
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('scenario suite (promtool 2.42)', () => {
  test('covers the situations on-call meets, each asserting every firing alert', () => {
    const names = (scenarioFiles().tests as TestFile).tests.map((t) => t.name).join('\n');
    for (const situation of [
      /low traffic: .* 2 errors/,
      /one slow request .* p95/,
      /one slow request .* p99/,
      /bursty traffic/,
      /idle night/,
      /crashes in the middle of an error breach/,
      /down 30 s of every 2 minutes/,
      /gap in all data \(Prometheus restarting\)/,
      /pushed app that stops sending/,
      /le="0.30"/,
    ])
      expect(names).toMatch(situation);
  });

  test('every scenario passes against the generated rules', async () => {
    const r = await promtool(TESTS, 'scenarios.test.yml');
    expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
  });

  test('without keep_firing_for and the hold-while-down clause, the crash resolves the page', async () => {
    const r = await scenarioAgainst(/crashes in the middle/, (rules) =>
      rules
        .replace(/^ +keep_firing_for: .*\n/gm, '')
        .replace(
          /\n[ \t]+or\n[ \t]+\(\n[ \t]+max by \([^)]*\) \(ALERTS\{[^}]*\}\)\n[ \t]+and on \(\)\n[^\n]*\n[ \t]+\)/g,
          '',
        ),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/time: 1h10m/);
  });

  test('without the bad-event guard, 2 errors among 20 requests an hour page', async () => {
    const r = await scenarioAgainst(/low traffic: /, (rules) => rules.replace(/ >= 5\n/g, ' >= 0\n'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/SLAErrors", burn_factor="14.4", severity="emergency"/);
  });

  test('matching le="0.3" as a string loses the latency SLI of an app that writes le="0.30"', async () => {
    const r = await scenarioAgainst(/le="0.30"/, (rules) => rules.replace(/le=~"0\\\\.30\*"/g, 'le="0.3"'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/burn_factor="14.4"/);
  });
});

describe('rule properties', () => {
  test('le is matched by value: every spelling of the bound and nothing else', () => {
    const matches = (bound: number, text: string) => new RegExp(`^(?:${leRegex(bound)})$`).test(text);
    expect(['0.3', '0.30', '0.300'].every((t) => matches(0.3, t))).toBe(true);
    expect(['0.35', '0.03', '3', '0.3.0'].some((t) => matches(0.3, t))).toBe(false);
    expect(['2', '2.0', '2.00'].every((t) => matches(2, t))).toBe(true);
    expect(['20', '2.5', '12'].some((t) => matches(2, t))).toBe(false);
  });

  test('a quantile alert needs 3/(1-q) requests: 60 for p95, 300 for p99, never under minRequests', () => {
    const [p95, p99, p50] = resolve({
      endpoints: [
        { route: '/a', latency: 'p95 < 300ms' },
        { route: '/b', latency: 'p99 < 300ms' },
        { route: '/c', latency: 'p50 < 300ms', escalation: { burnRates: [] } },
      ],
    });
    expect(quantileMinRequests(p95, 0.95)).toBe(60);
    expect(quantileMinRequests(p99, 0.99)).toBe(300);
    expect(quantileMinRequests(p50, 0.5)).toBe(10);
  });

  test('burn factors are scaled to the period: a 7-day SLA spends the same budget share per tier', () => {
    const [s] = resolve({
      period: '7d',
      endpoints: [{ route: '/a', errorRate: '1%', priority: 'critical' }],
    });
    expect(s.burnTiers.map((t) => t.factor)).toEqual([3.36, 1.4, 0.7, 0.233333333333]);
  });

  test('longRulesInterval above 2m30s is refused: one late evaluation would drop the long series', () => {
    expect(configError(() => resolve({ longRulesInterval: '5m', endpoints: [] }))).toMatch(
      /longRulesInterval.*2m30s/s,
    );
    expect(() => resolve({ longRulesInterval: '2m30s', endpoints: [] })).not.toThrow();
  });

  test('a Slack emergency channel needs its own webhook URL file', () => {
    expect(
      configError(() =>
        resolve({
          endpoints: [],
          alerting: { slack: { channel: '#a', emergencyChannel: '#b' } },
        }),
      ),
    ).toMatch(/emergencyApiUrlFile/);
  });

  test('every link comes from alerting.externalUrls; no runbook link without a runbook base', () => {
    const files = (externalUrls: Record<string, string>) =>
      generate(
        parseConfig({
          sla: {
            job: 'shop',
            alerting: { externalUrls },
            endpoints: [{ route: '/a', errorRate: '1%' }],
          },
        }),
      ).files;
    const urls = {
      grafana: 'https://grafana.example.com',
      alertmanager: 'https://am.example.com',
      prometheus: 'https://prom.example.com',
    };
    const without = files(urls);
    const rules = without.get('alert-rules/sla-a.yml')!;
    expect(rules).toContain(
      'dashboard_url: https://grafana.example.com/d/perfwatch-http/perfwatch-http?var-route=%2Fa',
    );
    expect(rules).not.toMatch(/runbook_url|localhost/);
    const tmpl = without.get('provisioning/alertmanager/templates/perfwatch.tmpl')!;
    expect(tmpl).toContain('Alertmanager: https://am.example.com');
    expect(tmpl).toContain('Prometheus:   https://prom.example.com/alerts');
    expect(tmpl).not.toMatch(/localhost|\.ExternalURL/);
    const withRunbooks = files({ ...urls, runbookBase: 'https://wiki.example.com/runbooks' });
    expect(withRunbooks.get('alert-rules/sla-a.yml')).toContain(
      'runbook_url: https://wiki.example.com/runbooks#slaerrors',
    );
  });

  test('a pushed app reads Perfwatch’s job and its heartbeat; a scraped one its own up', () => {
    const [pushed, scraped] = resolve({
      endpoints: [
        { route: '/invoices', app: 'billing', availability: '99.5%' },
        { route: '/checkout', availability: '99.9%' },
      ],
    });
    expect(pushed.job).toBe('perfwatch');
    expect(pushed.app).toBe('billing');
    expect(scraped.job).toBe('shop');
    expect(scraped.app).toBeUndefined();
  });
});
