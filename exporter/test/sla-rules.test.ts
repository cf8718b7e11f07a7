/*
 * The generated files: reproducible, committed up to date (`perfwatch rules check`), valid for
 * promtool 2.42 and amtool 0.25, and their promtool unit tests pass (and fail when a rule is wrong).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load';
import { generate } from '../src/sla/generate';
import { AMTOOL, PROMTOOL } from './support/prometheus-stack';

jest.setTimeout(120_000);

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const RULES = path.join(ROOT, 'alert-rules');
const AM_CONFIG = path.join(ROOT, 'provisioning/alertmanager/alertmanager.yml');

function cli(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function tool(bin: string, args: string[], cwd?: string) {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd, maxBuffer: 16 << 20 });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`, stdout: e.stdout };
  }
}

const committed = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

describe('generated files', () => {
  test('are byte-for-byte reproducible', () => {
    const config = loadConfig(path.join(ROOT, 'perfwatch.yml'), {});
    const a = generate(config).files;
    const b = generate(loadConfig(path.join(ROOT, 'perfwatch.yml'), {})).files;
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(b.get(k)).toBe(v);
  });

  test('perfwatch rules check passes on the committed files', async () => {
    expect(existsSync(CLI)).toBe(true); // npm run build -w @perfwatch/exporter
    const r = await cli(['rules', 'check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/generated files are up to date with perfwatch\.yml/);
  });

  test('perfwatch rules check fails on stale, missing and orphaned files; generate fixes them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-rules-check-'));
    try {
      cpSync(path.join(ROOT, 'perfwatch.yml'), path.join(dir, 'perfwatch.yml'));
      expect((await cli(['rules', 'generate', '--config', 'perfwatch.yml'], dir)).code).toBe(0);
      expect((await cli(['rules', 'check', '--config', 'perfwatch.yml'], dir)).code).toBe(0);

      const edited = path.join(dir, 'alert-rules/sla-post-api-checkout.yml');
      writeFileSync(edited, readFileSync(edited, 'utf8').replace('> 0.72', '> 0.8'));
      rmSync(path.join(dir, 'provisioning/alertmanager/alertmanager.yml'));
      writeFileSync(path.join(dir, 'alert-rules/sla-removed-endpoint.yml'), 'groups: []\n');
      const stale = await cli(['rules', 'check', '--config', 'perfwatch.yml'], dir);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('stale    alert-rules/sla-post-api-checkout.yml');
      expect(stale.stderr).toContain('missing  provisioning/alertmanager/alertmanager.yml');
      expect(stale.stderr).toContain('orphan   alert-rules/sla-removed-endpoint.yml');
      expect(stale.stderr).toContain('run `perfwatch rules generate');

      const fixed = await cli(['rules', 'generate', '--config', 'perfwatch.yml'], dir);
      expect(fixed.stdout).toContain('removed  alert-rules/sla-removed-endpoint.yml');
      expect((await cli(['rules', 'check', '--config', 'perfwatch.yml'], dir)).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the latency SLI reads the exact target bucket and the SLA window is a ratio of summed rates', () => {
    const rules = committed('alert-rules/sla-post-api-checkout.yml');
    expect(rules).toContain(
      // By value: 0.3, 0.30 and 0.300 are one bound (Prometheus 3 and other clients spell them otherwise).
      'sum by (route) (rate(http_server_request_duration_seconds_bucket{job="demo",route="/api/checkout",method="POST",le=~"0\\\\.30*"}[5m]))',
    );
    expect(rules).toContain(
      [
        '          sum_over_time(route:http_server_requests_within_target:rate5m{sla="post-api-checkout"}[30d])',
        '          /',
        '          (sum_over_time(route:http_server_requests:rate5m{sla="post-api-checkout"}[30d]) > 0)',
      ].join('\n'),
    );
    // Burn thresholds are exact decimals: 14.4 × 5 % and 14.4 × 0.5 %.
    expect(rules).toContain('route:sla_slow_per_requests:ratio_rate5m{sla="post-api-checkout"} > 0.72');
    expect(rules).toContain('route:sla_errors_per_requests:ratio_rate1h{sla="post-api-checkout"} > 0.072');
  });

  test('no secret is written into the Alertmanager config, only files Alertmanager reads', () => {
    const am = committed('provisioning/alertmanager/alertmanager.yml');
    expect(am).toContain('credentials_file: /etc/alertmanager/secrets/perfwatch-alertmanager-token');
    expect(am).toContain('api_url_file: /etc/alertmanager/secrets/slack-webhook-url');
    expect(am).not.toMatch(/hooks\.slack\.com|auth_password:|credentials:\s/);
  });
});

describe('promtool 2.42', () => {
  test('check rules accepts every generated rule file', async () => {
    const files = readdirSync(RULES).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(1);
    const r = await tool(PROMTOOL, ['check', 'rules', ...files.map((f) => path.join(RULES, f))]);
    expect(r.out).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });

  test('the generated unit tests pass: tiers at their burn rate and not below, thresholds, known values, idle hour', async () => {
    const tests = readdirSync(path.join(RULES, 'tests')).filter(
      (f) => f.endsWith('.test.yml') && f !== 'scenarios.test.yml',
    );
    // Two at a time: each promtool run is single-threaded and the machine is shared.
    const results: Array<{ file: string; code: number; out: string }> = [];
    for (let i = 0; i < tests.length; i += 2)
      results.push(
        ...(await Promise.all(
          tests.slice(i, i + 2).map(async (f) => ({
            file: f,
            ...(await tool(PROMTOOL, ['test', 'rules', f], path.join(RULES, 'tests'))),
          })),
        )),
      );
    for (const r of results)
      expect({ file: r.file, ok: r.code === 0, out: r.code === 0 ? '' : r.out }).toEqual({
        file: r.file,
        ok: true,
        out: '',
      });
  });

  test('the unit tests catch a wrong burn threshold and a mean-of-ratios compliance', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-promtool-'));
    try {
      cpSync(RULES, dir, { recursive: true });
      const file = path.join(dir, 'sla-post-api-checkout.yml');
      const good = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        good.replace(
          'ratio_rate5m{sla="post-api-checkout"} > 0.72',
          'ratio_rate5m{sla="post-api-checkout"} > 0.8',
        ),
      );
      const wrongTier = await tool(
        PROMTOOL,
        ['test', 'rules', 'sla-post-api-checkout.test.yml'],
        path.join(dir, 'tests'),
      );
      expect(wrongTier.code).not.toBe(0);
      // The 1.1 × scenario expected the 14.4× emergency and got nothing.
      expect(wrongTier.out).toMatch(/exp: \{__name__="ALERTS", alertname="SLALatency".*burn_factor="14\.4"/);

      // Sloth's "optimised" 30 d SLI: the mean of 5 m ratios instead of good / total events.
      const meanOfRatios = good.replace(
        [
          'sum_over_time(route:http_server_requests_within_target:rate5m{sla="post-api-checkout"}[30d])',
          '          /',
          '          (sum_over_time(route:http_server_requests:rate5m{sla="post-api-checkout"}[30d]) > 0)',
        ].join('\n'),
        '1 - avg_over_time(route:sla_slow_per_requests:ratio_rate5m{sla="post-api-checkout"}[30d])',
      );
      expect(meanOfRatios).not.toBe(good);
      writeFileSync(file, meanOfRatios);
      const weighted = await tool(
        PROMTOOL,
        ['test', 'rules', 'sla-post-api-checkout.test.yml'],
        path.join(dir, 'tests'),
      );
      expect(weighted.code).not.toBe(0);
      // Only the traffic-weighted check after the idle hour and the second mix can tell them apart.
      expect(weighted.out).toMatch(
        /route:sla_compliance:ratio\{sla=\\"post-api-checkout\\",sli=\\"latency\\".*time: 4h30m/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('amtool 0.25', () => {
  test('check-config accepts the generated Alertmanager config and templates', async () => {
    const r = await tool(AMTOOL, ['check-config', AM_CONFIG], tmpdir());
    expect(r.out).toContain('SUCCESS');
    expect(r.out).toContain('1 templates');
    expect(r.code).toBe(0);
  });

  test.each([
    [
      ['severity=warning', 'alertname=SLALatency', 'route=/api/checkout', 'sla=post-api-checkout'],
      'perfwatch',
    ],
    [
      ['severity=critical', 'alertname=SLALatency', 'route=/api/checkout', 'sla=post-api-checkout'],
      'critical',
    ],
    [
      ['severity=emergency', 'alertname=SLAErrors', 'route=/api/checkout', 'sla=post-api-checkout'],
      'emergency',
    ],
    [['severity=critical', 'alertname=TargetDown', 'job=demo'], 'critical'],
    [['severity=none', 'alertname=Watchdog'], 'watchdog'],
    [['alertname=SomethingWithoutSeverity'], 'perfwatch'],
  ])('routes %j to %s', async (labels, receiver) => {
    const r = await tool(AMTOOL, [
      'config',
      'routes',
      'test',
      `--config.file=${AM_CONFIG}`,
      `--verify.receivers=${receiver}`,
      ...labels,
    ]);
    expect(r.stdout.trim()).toBe(receiver);
    expect(r.code).toBe(0);
  });

  test('a severity routed to the wrong receiver fails the route test', async () => {
    const r = await tool(AMTOOL, [
      'config',
      'routes',
      'test',
      `--config.file=${AM_CONFIG}`,
      '--verify.receivers=critical',
      'severity=warning',
    ]);
    expect(r.code).not.toBe(0);
  });

  test('receivers: warning → Perfwatch only; critical → email, Slack, Perfwatch; emergency adds on-call', () => {
    const am = committed('provisioning/alertmanager/alertmanager.yml');
    const receiver = (name: string) => am.slice(am.indexOf(`  - name: ${name}\n`)).split(/\n {2}- name: /)[0];
    expect(receiver('perfwatch')).not.toMatch(/email_configs|slack_configs/);
    expect(receiver('critical')).toMatch(/email_configs[\s\S]*slack_configs[\s\S]*webhook_configs/);
    expect(receiver('emergency')).toContain('http://notify-catcher:8026/oncall');
    expect(receiver('emergency')).toContain('to: ops@shop.example, oncall@shop.example');
    // Emergency mutes critical and warning, critical mutes warning, for the same route, SLA and SLI:
    // a latency emergency does not silence an error-rate critical.
    expect(am).toContain(
      [
        'inhibit_rules:',
        '  - source_matchers:',
        '      - severity="emergency"',
        '      - sla=~".+"',
        '    target_matchers:',
        '      - severity=~"critical|warning"',
        '    equal:',
        '      - route',
        '      - sla',
        '      - sli',
        '  - source_matchers:',
        '      - severity="critical"',
        '      - sla=~".+"',
        '    target_matchers:',
        '      - severity="warning"',
        '    equal:',
        '      - route',
        '      - sla',
        '      - sli',
      ].join('\n'),
    );
    // One webhook URL per Slack channel: emergencies post through their own.
    expect(receiver('critical')).toContain('api_url_file: /etc/alertmanager/secrets/slack-webhook-url');
    expect(receiver('emergency')).toContain(
      'api_url_file: /etc/alertmanager/secrets/slack-incidents-webhook-url',
    );
    expect(receiver('emergency')).not.toContain('secrets/slack-webhook-url');
  });

  test('the email and Slack templates render endpoint, current vs target, since when, impact and links', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-amtool-'));
    try {
      const data = {
        receiver: 'emergency',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'SLALatency',
              severity: 'emergency',
              sla: 'post-api-checkout',
              route: '/api/checkout',
              method: 'POST',
              priority: 'critical',
            },
            annotations: {
              summary: 'POST /api/checkout: p95 is 1.2s, over 1s (target p95 < 300ms)',
              description: 'The p95 latency of POST /api/checkout over the last 5m is 1.2s.',
              impact:
                '64% of requests took longer than 300ms over the last 5m (allowed: 5%), at 12.00 requests/s.',
              current: '1.2s',
              target: 'p95 < 300ms',
              dashboard_url: 'http://grafana/d/perfwatch-http/perfwatch-http?var-route=%2Fapi%2Fcheckout',
              runbook_url: 'http://runbooks/alerting.md#slalatency',
            },
            startsAt: '2026-10-01T10:00:00Z',
            endsAt: '0001-01-01T00:00:00Z',
          },
        ],
        groupLabels: { alertname: 'SLALatency', route: '/api/checkout', sla: 'post-api-checkout' },
        commonLabels: {
          alertname: 'SLALatency',
          severity: 'emergency',
          route: '/api/checkout',
          method: 'POST',
        },
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
      };
      writeFileSync(path.join(dir, 'data.json'), JSON.stringify(data));
      const render = (t: string) =>
        tool(AMTOOL, [
          'template',
          'render',
          `--template.glob=${path.join(ROOT, 'provisioning/alertmanager/templates/*.tmpl')}`,
          `--template.text={{ template "${t}" . }}`,
          `--template.data=${path.join(dir, 'data.json')}`,
        ]);
      expect((await render('perfwatch.title')).stdout.trim()).toBe(
        '[FIRING:1] EMERGENCY SLALatency POST /api/checkout',
      );
      const text = (await render('perfwatch.email.text')).stdout;
      expect(text).toContain('Endpoint:  POST /api/checkout (SLA post-api-checkout), priority critical');
      expect(text).toContain('Current:   1.2s');
      expect(text).toContain('Target:    p95 < 300ms');
      expect(text).toContain('When:      since 2026-10-01 10:00:00 UTC');
      expect(text).toContain('Impact:    64% of requests took longer than 300ms');
      expect(text).toContain('Runbook:   http://runbooks/alerting.md#slalatency');
      const slack = (await render('perfwatch.slack.text')).stdout;
      expect(slack).toContain('• Endpoint: `POST /api/checkout` (SLA post-api-checkout)');
      expect(slack).toContain('• Current: 1.2s · Target: p95 < 300ms');
      expect(slack).toContain(
        '<http://grafana/d/perfwatch-http/perfwatch-http?var-route=%2Fapi%2Fcheckout|Dashboard>',
      );
      const html = (await render('perfwatch.email.html')).stdout;
      expect(html).toContain('<a href="http://runbooks/alerting.md#slalatency">Runbook</a>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
