import { z } from 'zod';
import { httpRequest } from './http-request';

const vectorSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
    ),
  }),
});

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Quotes a label value for a PromQL matcher. */
export const promString = (s: string) =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Instant queries against Prometheus' HTTP API (`GET /api/v1/query`), each bounded by a timeout. */
export class PrometheusQuery {
  private readonly base: string;

  constructor(
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.base = url.replace(/(?<!\/)\/+$/, '');
  }

  async instant(query: string, signal?: AbortSignal): Promise<Sample[]> {
    const res = await httpRequest(`${this.base}/api/v1/query?${new URLSearchParams({ query })}`, {
      timeoutMs: this.timeoutMs,
      signal,
    });
    if (res.status !== 200)
      throw new Error(`Prometheus answered HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new Error('Prometheus answered something other than JSON');
    }
    const parsed = vectorSchema.safeParse(body);
    if (!parsed.success) throw new Error('Prometheus answered something other than an instant vector');
    return parsed.data.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
}
