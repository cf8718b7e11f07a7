/** Request and response shapes of the SLA history, burndown, PDF and e-mail routes (registered in api-schemas.ts). */
import { z } from 'zod';
import { PERIOD_PATTERN } from './period';

/** The `period` query parameter of every SLA report route (report, burndown, PDF, e-mail). */
export const period = z
  .string()
  .regex(PERIOD_PATTERN, 'expected 30d or 7d (rolling, 1d–90d), 2026-10 (month) or 2026-Q4 (quarter)')
  .default('30d')
  .describe('`30d`/`7d` (rolling, 1d–90d), `2026-10` (calendar month) or `2026-Q4` (quarter); default 30d');

export const historyQuery = z
  .object({
    months: z.coerce.number().int().min(1).max(24).default(12),
  })
  .strict();

export const burndownQuery = z
  .object({
    period,
    /** One SLA's id (`post-api-checkout`); all when absent. */
    sla: z.string().min(1).max(200).optional(),
  })
  .strict();

export const pdfQuery = z.object({ period }).strict();

export const mailQuery = z.object({ period }).strict();

/** What POST /sla/report/email answers: the SMTP server's message id and the recipients it accepted. */
export const mailResultSchema = z
  .object({ period: z.string(), messageId: z.string(), accepted: z.array(z.string()) })
  .meta({ id: 'SlaReportMailResult' });

const ratio = z.number().nullable();

export const coverageSchema = z
  .object({
    /** First sample in the period (clamped to its start); null when there is none. */
    from: z.iso.datetime().nullable(),
    /** Last sample in the period (clamped to its end); null when there is none. */
    to: z.iso.datetime().nullable(),
    /** Share of the evaluated period between `from` and `to`. */
    ratio: z.number().min(0).max(1),
    complete: z.boolean(),
    /** Why the coverage is not complete, for a person; absent when complete. */
    reason: z.string().optional(),
    /** The series whose samples were looked for. */
    promql: z.object({ from: z.string(), to: z.string() }),
  })
  .meta({ id: 'SlaCoverage' });

const periodSchema = z.object({
  label: z.string(),
  kind: z.enum(['rolling', 'calendar']),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  periodEnd: z.iso.datetime(),
  elapsedSeconds: z.number(),
  durationSeconds: z.number(),
  complete: z.boolean(),
});

const status = z.enum(['meeting', 'atRisk', 'breaching', 'noData']);

/** How many SLAs are in each status: the report's and each history month's. */
export const summarySchema = z.object({
  endpoints: z.number().int(),
  meeting: z.number().int(),
  atRisk: z.number().int(),
  breaching: z.number().int(),
  noData: z.number().int(),
});

export const historySchema = z.object({
  generatedAt: z.iso.datetime(),
  monthsRequested: z.number().int(),
  /** Oldest first. Months before the first one Prometheus holds any data for are left out. */
  months: z.array(
    z.object({
      period: periodSchema,
      coverage: coverageSchema,
      summary: summarySchema,
      endpoints: z.array(
        z.object({
          sla: z.string(),
          title: z.string(),
          status,
          requests: ratio,
          latencyCompliance: ratio,
          errorRate: ratio,
          availability: ratio,
          budgetRemaining: z.object({ ratio, minutes: ratio }),
        }),
      ),
    }),
  ),
  /** Says which months were left out for lack of data, when some were. */
  note: z.string().optional(),
});

export const burndownSchema = z.object({
  period: periodSchema.pick({ label: true, start: true, end: true, periodEnd: true, complete: true }),
  stepSeconds: z.number().int().positive(),
  coverage: coverageSchema,
  endpoints: z.array(
    z.object({
      sla: z.string(),
      title: z.string(),
      slis: z.array(
        z.object({
          sli: z.enum(['latency', 'errors', 'availability']),
          objective: z.number(),
          /** The share of bad events (or bad time) the objective allows. */
          allowedBadRatio: z.number(),
          /** The per-step PromQL summed into the points (range queries over the period with `stepSeconds`). */
          promql: z.object({ bad: z.string(), total: z.string().nullable() }),
          /**
           * `t` in Unix seconds; `remaining` 1 = untouched, 0 = spent, negative = overspent, null before
           * the SLI has any data.
           */
          points: z.array(z.object({ t: z.number(), remaining: ratio })),
        }),
      ),
    }),
  ),
});

export type HistoryResponse = z.infer<typeof historySchema>;
export type BurndownResponse = z.infer<typeof burndownSchema>;
