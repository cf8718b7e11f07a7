/*
 * SLA history, burndown, coverage and the PDF against a real Prometheus holding months of backfilled
 * data (promtool tsdb create-blocks-from openmetrics), whose truth the test knows exactly:
 * POST /api/checkout gets 100 requests every 4 minutes from the 11th of the month before last until now,
 * 3 of them slower than the 300 ms target; an incident from the 10th to the 13th of last month makes 20
 * of every 100 fail. Older months hold nothing, as on a Prometheus whose retention has dropped them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import type { PerfwatchConfigInput } from '../src/config/schema';
import {
  burndownSchema,
  type BurndownResponse,
  coverageSchema,
  historySchema,
  type HistoryResponse,
} from '../src/sla/report-history.schemas';
import type { CoveredReport } from '../src/sla/report-coverage';
import { killAll } from '../library/test/support/processes';
import { PROMTOOL, startPrometheus } from './support/prometheus-stack';
import { startTestService, type TestService } from './support/service';

jest.setTimeout(180_000);

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const PDFTOTEXT = '/usr/bin/pdftotext';
const INTERVAL = 240;
const PER_INTERVAL = 100;
const SLOW = 3;
const FAILING_IN_INCIDENT = 20;
const PP = 0.001;

const now = new Date();
const y = now.getUTCFullYear();
const m = now.getUTCMonth();
const monthStart = (offset: number) => Date.UTC(y, m + offset, 1) / 1000;
const label = (offset: number) => {
  const d = new Date(monthStart(offset) * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};
const dataFrom = Date.UTC(y, m - 2, 11) / 1000;
const incident = { from: Date.UTC(y, m - 1, 10) / 1000, to: Date.UTC(y, m - 1, 13) / 1000 };
const failing = (t: number) => (t > incident.from && t <= incident.to ? FAILING_IN_INCIDENT : 0);

let dir: string;
let prometheus: string;
let service: TestService;
let input: PerfwatchConfigInput;

/** OpenMetrics of the whole history: one series after the other, each in time order. */
function history(until: number): string {
  const times: number[] = [];
  for (let t = dataFrom; t <= until; t += INTERVAL) times.push(t);
  const base = 'job="demo",instance="app:80",method="POST",route="/api/checkout"';
  const series: Array<[string, (t: number) => number]> = [
    [`up{job="demo",instance="app:80"}`, () => 0],
    [
      `http_server_request_duration_seconds_count{${base},status_code="200"}`,
      (t) => PER_INTERVAL - failing(t),
    ],
    [`http_server_request_duration_seconds_count{${base},status_code="500"}`, failing],
    [
      `http_server_request_duration_seconds_bucket{${base},status_code="200",le="0.3"}`,
      (t) => PER_INTERVAL - failing(t) - SLOW,
    ],
    [
      `http_server_request_duration_seconds_bucket{${base},status_code="200",le="+Inf"}`,
      (t) => PER_INTERVAL - failing(t),
    ],
    // Failures are fast: they count against the error budget, not the latency one.
    [`http_server_request_duration_seconds_bucket{${base},status_code="500",le="0.3"}`, failing],
    [`http_server_request_duration_seconds_bucket{${base},status_code="500",le="+Inf"}`, failing],
  ];
  const lines: string[] = [];
  for (const [name, step] of series) {
    let value = 0;
    for (const [i, t] of times.entries()) {
      // Counters start at zero at the first sample; up is 1 throughout.
      if (name.startsWith('up')) value = 1;
      else if (i > 0) value += step(t);
      lines.push(`${name} ${value} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** The exact error share of the traffic counted in (from, to]. */
function errorShare(from: number, to: number): number {
  let total = 0;
  let bad = 0;
  for (let t = dataFrom + INTERVAL; t <= to; t += INTERVAL)
    if (t > from) {
      total += PER_INTERVAL;
      bad += failing(t);
    }
  return bad / total;
}

beforeAll(async () => {
  expect(existsSync(PDFTOTEXT)).toBe(true); // scripts/install-system-deps.sh installs poppler-utils
  dir = mkdtempSync(path.join(tmpdir(), 'pw-sla-history-'));
  const om = path.join(dir, 'history.om');
  writeFileSync(om, history(Math.floor(Date.now() / 1000) - 30));
  await run(PROMTOOL, [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--quiet',
    '--max-block-duration=720h',
    om,
    path.join(dir, 'tsdb'),
  ]);
  rmSync(om);
  prometheus = await startPrometheus({
    dir,
    ruleFiles: [],
    targets: [],
    scrapeInterval: '15s',
    evaluationInterval: '15s',
    retention: '400d',
  });
  input = {
    sla: {
      job: 'demo',
      endpoints: [
        {
          route: '/api/checkout',
          method: 'POST',
          latency: 'p95 < 300ms',
          errorRate: '< 1%',
          availability: '99.9%',
          priority: 'critical',
        },
      ],
    },
    prometheus: { url: prometheus },
  };
  service = await startTestService(input);
});

afterAll(async () => {
  await service?.close();
  await killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get<T>(url: string): Promise<T> {
  const res = await service.api(url, { scope: 'read' });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Subquery steps find the edges of the data to within a step (period / 1000) and the lookback. */
const edgeTolerance = (seconds: number) => Math.max(60, Math.ceil(seconds / 1000)) + 300 + INTERVAL;

describe('coverage', () => {
  test('a rolling period inside the data is complete', async () => {
    const r = await get<CoveredReport>('/api/v1/sla/report?period=30d');
    expect(coverageSchema.parse(r.coverage)).toMatchObject({ complete: true });
    expect(r.coverage.reason).toBeUndefined();
  });

  test('a period reaching past the oldest sample says from when the data covers it', async () => {
    const r = await get<CoveredReport>('/api/v1/sla/report?period=90d');
    expect(r.coverage.complete).toBe(false);
    const from = new Date(r.coverage.from!).getTime() / 1000;
    expect(Math.abs(from - dataFrom)).toBeLessThanOrEqual(edgeTolerance(90 * 86400));
    expect(r.coverage.reason).toMatch(
      /only from .*retention.*the numbers cover (\d+\.\d|< 0\.1|> 99\.9) % of the period only/,
    );
    const elapsed = (new Date(r.period.end).getTime() / 1000 - dataFrom) / (90 * 86400);
    expect(Math.abs(r.coverage.ratio - elapsed)).toBeLessThan(0.01);
  });
});

test('perfwatch sla report says in markdown when the data does not cover the period', async () => {
  const config = path.join(dir, 'coverage.yml');
  writeFileSync(config, stringify(input));
  const { stdout } = await run(process.execPath, [
    CLI,
    'sla',
    'report',
    '--config',
    config,
    '--period',
    '90d',
  ]);
  expect(stdout).toMatch(
    /^> \*\*Incomplete data:\*\* Prometheus holds samples of up\{job="demo"\} only from /m,
  );
  const { stdout: full } = await run(process.execPath, [CLI, 'sla', 'report', '--config', config]);
  expect(full).not.toContain('Incomplete data');
});

describe('GET /api/v1/sla/history', () => {
  let h: HistoryResponse;
  beforeAll(async () => {
    h = await get<HistoryResponse>('/api/v1/sla/history?months=12');
  });

  test('goes back as far as Prometheus holds data and says which months it left out', () => {
    expect(() => historySchema.parse(h)).not.toThrow();
    expect(h.months.map((x) => x.period.label)).toEqual([label(-2), label(-1), label(0)]);
    expect(h.note).toContain(`${label(-11)} to ${label(-3)} are left out`);
  });

  test('the month the data starts in is marked incomplete from the first sample on', () => {
    const [first, last, current] = h.months;
    expect(first.coverage.complete).toBe(false);
    expect(Math.abs(new Date(first.coverage.from!).getTime() / 1000 - dataFrom)).toBeLessThanOrEqual(
      edgeTolerance(first.period.durationSeconds),
    );
    expect(last.coverage.complete).toBe(true);
    expect(current.coverage.complete).toBe(true);
  });

  test('each month reports its own traffic: the incident month overspent its error budget', () => {
    const [first, last] = h.months;
    const lastTruth = errorShare(monthStart(-1), monthStart(0));
    expect(Math.abs(last.endpoints[0].errorRate! - lastTruth)).toBeLessThan(PP);
    expect(last.endpoints[0].status).toBe('breaching');
    expect(last.endpoints[0].budgetRemaining.ratio).toBeCloseTo(1 - lastTruth / 0.01, 1);
    expect(first.endpoints[0].errorRate).toBeCloseTo(0, 9);
    for (const month of h.months)
      expect(Math.abs(month.endpoints[0].latencyCompliance! - (1 - SLOW / PER_INTERVAL))).toBeLessThan(PP);
  });

  test('months must be 1 to 24', async () => {
    const res = await service.api('/api/v1/sla/history?months=25', { scope: 'read' });
    expect(res.status).toBe(400);
  });
});

describe('GET /api/v1/sla/burndown', () => {
  let b: BurndownResponse;
  let report: CoveredReport;
  beforeAll(async () => {
    b = await get<BurndownResponse>(`/api/v1/sla/burndown?period=${label(-1)}&sla=post-api-checkout`);
    report = await get<CoveredReport>(`/api/v1/sla/report?period=${label(-1)}`);
  });
  const sli = (name: string) => b.endpoints[0].slis.find((s) => s.sli === name)!;

  test('the error budget is whole until the incident, falls during it and ends where the report does', () => {
    expect(() => burndownSchema.parse(b)).not.toThrow();
    const errors = sli('errors');
    const before = errors.points.filter((p) => p.t <= incident.from);
    expect(before.length).toBeGreaterThan(10);
    for (const p of before) expect(p.remaining).toBeCloseTo(1, 9);
    const lowest = Math.min(...errors.points.map((p) => p.remaining!));
    const lowestAt = errors.points.find((p) => p.remaining === lowest)!.t;
    expect(Math.abs(lowestAt - incident.to)).toBeLessThanOrEqual(b.stepSeconds);
    // At the incident's end: 20 % errors over 3 of the 12 days so far, against a 1 % budget.
    expect(lowest).toBeLessThan(1 - (0.2 * 3) / 12 / 0.01 + 0.5);
    const last = errors.points[errors.points.length - 1].remaining!;
    expect(Math.abs(last - report.endpoints[0].errors.budgetRemaining!.ratio.value!)).toBeLessThan(0.05);
  });

  test('a steady 3 % of slow requests keeps 40 % of a 5 % latency budget all period', () => {
    for (const p of sli('latency').points) expect(p.remaining!).toBeCloseTo(0.4, 2);
    for (const p of sli('availability').points) expect(p.remaining).toBe(1);
  });

  test('an unknown SLA id is a 404', async () => {
    const res = await service.api('/api/v1/sla/burndown?sla=nope', { scope: 'read' });
    expect(res.status).toBe(404);
  });
});

async function pdfText(file: string): Promise<string> {
  const { stdout } = await run(PDFTOTEXT, ['-layout', file, '-']);
  return stdout;
}

describe('the PDF report', () => {
  let report: CoveredReport;
  beforeAll(async () => {
    report = await get<CoveredReport>(`/api/v1/sla/report?period=${label(-1)}`);
  });
  const figures = () => {
    const e = report.endpoints[0];
    return [
      'POST /api/checkout',
      'BREACHING',
      `${(e.latency.compliance!.value! * 100).toFixed(2)}%`,
      `${(e.errors.rate.value! * 100).toFixed(3)}%`,
      `${(e.budgetRemaining.ratio! * 100).toFixed(1)}%`,
    ];
  };

  test('GET /api/v1/sla/report.pdf is a PDF holding the endpoints and their compliance figures', async () => {
    const res = await service.api(`/api/v1/sla/report.pdf?period=${label(-1)}`, { scope: 'read' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`sla-report-${label(-1)}.pdf`);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = path.join(dir, 'api.pdf');
    writeFileSync(file, pdf);
    const text = await pdfText(file);
    for (const figure of figures()) expect(text).toContain(figure);
  });

  test('a PDF of a period the data only partly covers says so', async () => {
    const res = await service.api('/api/v1/sla/report.pdf?period=90d', { scope: 'read' });
    const file = path.join(dir, '90d.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    expect((await pdfText(file)).replace(/\s+/g, ' ')).toMatch(/Incomplete data: Prometheus holds samples/);
  });

  test('perfwatch sla report --format pdf --out writes the same report', async () => {
    expect(existsSync(CLI)).toBe(true); // npm run build -w @perfwatch/exporter
    const config = path.join(dir, 'perfwatch.yml');
    writeFileSync(config, stringify(input));
    const out = path.join(dir, 'cli.pdf');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI, 'sla', 'report', '--config', config, '--period', label(-1), '--format', 'pdf', '--out', out],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(out);
    for (const figure of figures()) expect(text).toContain(figure);
  });

  test('without a browser the PDF is refused with what to install, and the other formats still work', async () => {
    const noBrowser = await startTestService({
      ...input,
      sla: { ...input.sla, report: { chromiumPath: path.join(dir, 'no-chromium') } },
    });
    try {
      const res = await noBrowser.api('/api/v1/sla/report.pdf?period=30d', { scope: 'read' });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('pdf_unavailable');
      expect(body.error.message).toContain(`no-chromium: install Debian's chromium`);
      expect((await noBrowser.api('/api/v1/sla/report?period=30d', { scope: 'read' })).status).toBe(200);
    } finally {
      await noBrowser.close();
    }
  });
});

describe('the monthly report by e-mail, through the SMTP settings Alertmanager uses', () => {
  interface Received {
    from: string;
    to: string;
    subject: string;
    text: string;
    attachments: Array<{ filename?: string; contentType: string; content: Buffer }>;
  }
  let smtp: SMTPServer;
  let smtpPort: number;
  const received: Received[] = [];
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      // As Mailpit or a local relay without a certificate: no STARTTLS; Alertmanager needs require_tls false.
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (m) => {
            received.push({
              from: m.from?.text ?? '',
              to: Array.isArray(m.to) ? m.to.map((t) => t.text).join(', ') : (m.to?.text ?? ''),
              subject: m.subject ?? '',
              text: m.text ?? '',
              attachments: m.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

  const mailing = (requireTls: boolean) =>
    startTestService({
      ...input,
      sla: {
        ...input.sla,
        alerting: {
          email: {
            smarthost: `127.0.0.1:${smtpPort}`,
            from: 'alertmanager@example.com',
            to: ['oncall@example.com'],
            requireTls,
          },
        },
        report: { email: { to: ['sre@example.com', 'cto@example.com'] } },
      },
    });

  test('POST /api/v1/sla/report/email sends last month with the PDF attached', async () => {
    const svc = await mailing(false);
    try {
      const res = await svc.api(`/api/v1/sla/report/email?period=${label(-1)}`, {
        scope: 'write',
        method: 'POST',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        period: label(-1),
        accepted: ['sre@example.com', 'cto@example.com'],
      });
    } finally {
      await svc.close();
    }
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail.from).toBe('alertmanager@example.com');
    expect(mail.to).toBe('sre@example.com, cto@example.com');
    expect(mail.subject).toBe(`SLA report ${label(-1)}: 1 breaching, 0 at risk, 0 meeting`);
    expect(mail.text).toContain('| `POST /api/checkout` | critical | BREACHING |');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({
      filename: `sla-report-${label(-1)}.pdf`,
      contentType: 'application/pdf',
    });
    expect(mail.attachments[0].content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('require_tls against a server without STARTTLS is refused, as Alertmanager refuses it', async () => {
    const svc = await mailing(true);
    try {
      const res = await svc.api(`/api/v1/sla/report/email?period=${label(-1)}`, {
        scope: 'write',
        method: 'POST',
      });
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('smtp_error');
      expect(body.error.message).toMatch(/STARTTLS/i);
    } finally {
      await svc.close();
    }
  });
});
