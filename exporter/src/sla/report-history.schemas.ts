/** Request and response shapes of the SLA history, burndown, PDF and e-mail routes (registered in api-schemas.ts). */
import { z } from 'zod';
import { PERIOD_PATTERN } from './period';

const period = z
  .string()
  .regex(PERIOD_PATTERN, 'expected 30d or 7d (rolling, 1d–90d), 2026-10 (month) or 2026-Q4 (quarter)')
  .default('30d');

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
    from: z.iso.datetime().nullable(),
    to: z.iso.datetime().nullable(),
    ratio: z.number().min(0).max(1),
    complete: z.boolean(),
    reason: z.string().optional(),
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

export const historySchema = z.object({
  generatedAt: z.iso.datetime(),
  monthsRequested: z.number().int(),
  months: z.array(
    z.object({
      period: periodSchema,
      coverage: coverageSchema,
      summary: z.object({
        endpoints: z.number().int(),
        meeting: z.number().int(),
        atRisk: z.number().int(),
        breaching: z.number().int(),
        noData: z.number().int(),
      }),
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
          allowedBadRatio: z.number(),
          promql: z.object({ bad: z.string(), total: z.string().nullable() }),
          points: z.array(z.object({ t: z.number(), remaining: ratio })),
        }),
      ),
    }),
  ),
});

export type HistoryResponse = z.infer<typeof historySchema>;
export type BurndownResponse = z.infer<typeof burndownSchema>;
