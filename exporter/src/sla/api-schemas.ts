import { z } from 'zod';
import { AUTH_ERRORS, ErrorBody, operation } from '../contract/operation';
import {
  burndownQuery,
  burndownSchema,
  coverageSchema,
  historyQuery,
  historySchema,
  mailQuery,
  mailResultSchema,
  pdfQuery,
  period,
  summarySchema,
} from './report-history.schemas';

/** GET /api/v1/sla/report: the one shape of the report, for the API, the Grafana app and its tests. */

export const slaReportQuery = z.object({ period }).strict();

const time = z.iso.datetime();

export const SlaMeasurement = z
  .object({
    value: z
      .number()
      .nullable()
      .describe('null when Prometheus has no data for it (no requests in the period, no scrapes of the app)'),
    promql: z.string(),
  })
  .meta({
    id: 'SlaMeasurement',
    description:
      'One number of the SLA report and the PromQL that computes it (paste it into Prometheus or Grafana).',
  });

export const SlaBudgetRemaining = z
  .object({
    ratio: SlaMeasurement.describe(
      'error budget left: 1 − bad share / allowed bad share. 1 = untouched, 0 = spent, negative = overspent',
    ),
    minutes: SlaMeasurement.describe(
      'minutes of total outage the remaining budget still allows over the whole period (negative = overspent)',
    ),
  })
  .meta({ id: 'SlaBudgetRemaining' });

export const SLA_STATUSES = ['meeting', 'atRisk', 'breaching', 'noData'] as const;

export const SlaEndpointReport = z
  .object({
    sla: z.string().describe('SLA id (the `sla` label of its series and alerts)'),
    route: z.string().describe('route template'),
    method: z.string().nullable().describe('HTTP method, null = all methods'),
    title: z.string(),
    priority: z.enum(['critical', 'high', 'medium', 'low']),
    team: z.string().nullable(),
    owner: z.string().nullable(),
    status: z
      .enum(SLA_STATUSES)
      .describe(
        "breaching: an SLI's budget is overspent (compliance below its objective); atRisk: an SLI has less budget left than `atRiskBudget`; noData: no requests and no scrapes in the period",
      ),
    requests: SlaMeasurement.describe('requests in the period'),
    latency: z.object({
      target: z
        .object({ quantile: z.number(), thresholdSeconds: z.number(), objective: z.number() })
        .nullable()
        .describe(
          '"p95 < 300ms" is quantile 0.95, thresholdSeconds 0.3, objective 0.95 (share of requests within the threshold)',
        ),
      p50: SlaMeasurement,
      p95: SlaMeasurement,
      p99: SlaMeasurement,
      compliance: SlaMeasurement.nullable().describe(
        'share of requests that finished within the threshold (0..1); null without a latency target',
      ),
      budgetRemaining: SlaBudgetRemaining.nullable(),
    }),
    errors: z.object({
      target: z
        .object({
          maxRatio: z.number().describe('the "errors < 0.5%" target'),
          objective: z.number(),
          definition: z.array(z.string()).describe('status classes and codes that count as errors'),
        })
        .nullable(),
      rate: SlaMeasurement.describe(
        'share of requests that were errors (0..1); 5xx when the SLA has no error target',
      ),
      budgetRemaining: SlaBudgetRemaining.nullable(),
    }),
    availability: z
      .object({
        target: z.number().nullable(),
        value: SlaMeasurement.describe(
          "share of the period the app's scrape targets were up (avg_over_time(up))",
        ),
        budgetRemaining: SlaBudgetRemaining.nullable(),
      })
      .nullable()
      .describe('null when the SLA names no Prometheus job (sla.job)'),
    budgetRemaining: z
      .object({ ratio: z.number().nullable(), minutes: z.number().nullable() })
      .describe("the lowest remaining budget among the endpoint's SLIs"),
  })
  .meta({ id: 'SlaEndpointReport' });

export const SlaReport = z
  .object({
    period: z.object({
      label: z.string(),
      kind: z.enum(['rolling', 'calendar']),
      start: time,
      end: time.describe('where evaluation stops; now for a calendar period still running'),
      periodEnd: time,
      elapsedSeconds: z.number().int().describe('range of every query (end − start)'),
      durationSeconds: z
        .number()
        .int()
        .describe('length of the whole period; budget minutes count against it'),
      complete: z.boolean().describe('false while a calendar period is still running'),
    }),
    generatedAt: time,
    atRiskBudget: z.number().describe('an SLI with less budget left is "atRisk" (sla.report.atRiskBudget)'),
    summary: summarySchema,
    endpoints: z.array(SlaEndpointReport),
    coverage: coverageSchema,
  })
  .meta({ id: 'SlaReport' });

export type SlaReportBody = z.input<typeof SlaReport>;

/** What every route that asks Prometheus may answer when Prometheus fails. */
const PROMETHEUS_ERRORS = {
  502: {
    description:
      'Prometheus answered with an error or something that is not its API (code prometheus_error).',
    schema: ErrorBody,
  },
  503: {
    description:
      'Prometheus is unreachable or did not answer within prometheus.timeoutMs, after its retries (code prometheus_unavailable), no Prometheus is configured (code prometheus_not_configured), or no browser for the PDF (code pdf_unavailable).',
    schema: ErrorBody,
  },
} as const;

export const slaOperations = [
  operation({
    method: 'get',
    path: '/sla/report',
    operationId: 'getSlaReport',
    scope: 'read',
    summary: 'SLA compliance per configured endpoint over a period, computed by Prometheus',
    description:
      'For every endpoint in the `sla:` section: requests, p50/p95/p99, share of requests within the latency target, error rate, availability, error budget left (share and outage minutes) and a status. Every number is a PromQL query over the raw counters of the period (returned beside it). Calendar periods (UTC) are evaluated from their start to now while running, so a new month starts with a whole budget.',
    query: slaReportQuery,
    responses: {
      200: { description: 'The report', schema: SlaReport },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      ...PROMETHEUS_ERRORS,
    },
  }),
  operation({
    method: 'get',
    path: '/sla/history',
    operationId: 'getSlaHistory',
    scope: 'read',
    summary:
      'Month by month: each SLA over the last months Prometheus holds data for, each month with its coverage',
    query: historyQuery,
    responses: {
      200: {
        description: 'Oldest month first; months before the first data are left out and `note` says so',
        schema: historySchema,
      },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      ...PROMETHEUS_ERRORS,
    },
  }),
  operation({
    method: 'get',
    path: '/sla/burndown',
    operationId: 'getSlaBurndown',
    scope: 'read',
    summary: 'Error budget remaining over the period, per SLA and SLI (about 180 points)',
    query: burndownQuery,
    responses: {
      200: { description: 'The burndown', schema: burndownSchema },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      404: { description: 'No SLA with that id', schema: ErrorBody },
      ...PROMETHEUS_ERRORS,
    },
  }),
  operation({
    method: 'get',
    path: '/sla/report.pdf',
    operationId: 'getSlaReportPdf',
    scope: 'read',
    summary: 'The SLA report as a PDF file, printed by headless Chromium',
    query: pdfQuery,
    responses: {
      200: { description: 'The PDF', contentType: 'application/pdf' },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      429: {
        description: 'Two prints are already waiting (code pdf_busy); retry after Retry-After',
        schema: ErrorBody,
      },
      ...PROMETHEUS_ERRORS,
    },
  }),
  operation({
    method: 'post',
    path: '/sla/report/email',
    operationId: 'mailSlaReport',
    scope: 'write',
    summary: "Mails the SLA report now to sla.report.email.to through Alertmanager's SMTP settings",
    query: mailQuery,
    responses: {
      200: { description: 'What the SMTP server accepted', schema: mailResultSchema },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      409: {
        description: 'sla.report.email or sla.alerting.email is not configured (code email_not_configured)',
        schema: ErrorBody,
      },
      429: { description: 'Two prints are already waiting (code pdf_busy)', schema: ErrorBody },
      ...PROMETHEUS_ERRORS,
    },
  }),
];
