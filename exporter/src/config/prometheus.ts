import { z } from 'zod';

/**
 * Where the service queries Prometheus (SLA reports, incident diagnostics). No `url` means "not
 * configured": features that need it say so instead of failing. Env: PERFWATCH_PROMETHEUS_URL.
 */
export const prometheusConfigSchema = z
  .object({
    /** Base URL of the Prometheus HTTP API (no /api/v1), e.g. http://prometheus:9090. Basic-auth credentials in the URL are allowed. */
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://prometheus:9090' })
      .optional(),
    /** Per-request timeout; a query that takes longer is abandoned (and retried). */
    timeoutMs: z.number().int().positive().max(120_000).default(5000),
    /** Retries after a timeout, a refused connection or a 5xx answer. */
    retries: z.number().int().min(0).max(3).default(1),
  })
  .strict();

export type PrometheusConfig = z.output<typeof prometheusConfigSchema>;
