import { z } from 'zod';
import {
  type QueriesConfig,
  type QueriesConfigInput,
  isRecord,
  queriesConfigProblems,
  withQueriesDefaults,
} from '@perfwatch/node/internal';
import { type ExplainConfig, explainConfigSchema } from './explain-config';

/** The service's `queries:`: the library's options plus EXPLAIN on demand, which only the service runs. */
export type ServiceQueriesConfig = QueriesConfig & {
  /** EXPLAIN on demand (POST /api/v1/slow-queries/{id}/explain): read-only connections per database. */
  explain: ExplainConfig;
};

/**
 * `queries:` in perfwatch.yml. The library's options are checked by the library's rules (it checks an
 * app's options without zod), turned into zod issues here so a config error names the field like every
 * other one; `explain` is the service's own and keeps its zod schema.
 */
export const queriesConfigSchema = z
  .custom<QueriesConfigInput & { explain?: unknown }>()
  .superRefine((value, ctx) => {
    const { explain, library } = split(value);
    for (const p of queriesConfigProblems(library))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    const parsed = explainConfigSchema.optional().safeParse(explain);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: ['explain', ...issue.path], message: issue.message });
  })
  .transform((value): ServiceQueriesConfig => {
    const { explain, library } = split(value);
    return {
      ...withQueriesDefaults(library as QueriesConfigInput),
      explain: explainConfigSchema.parse(explain ?? {}),
    };
  });

/** `explain` apart from the options the library checks (which reject keys they do not know). */
function split(value: unknown): { explain: unknown; library: unknown } {
  if (!isRecord(value)) return { explain: undefined, library: value };
  const { explain, ...library } = value;
  return { explain, library };
}
