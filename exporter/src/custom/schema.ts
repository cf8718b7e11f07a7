import { z } from 'zod';
import {
  customMetricDefinition,
  type CustomMetricInput,
  customMetricListProblems,
  customMetricProblems,
} from '@perfwatch/node/internal';

const customMetricSchema = z
  .custom<CustomMetricInput>()
  .superRefine((value, ctx) => {
    for (const p of customMetricProblems(value))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  })
  .transform((value) => customMetricDefinition(value));

/**
 * `customMetrics:` in the service config: the only custom metrics POST /api/v1/events accepts.
 * Declaring them in the config (rather than on first use by a sender) keeps the set of families
 * reviewable and bounded, gives each its type, help and buckets once, and stops two senders from
 * disagreeing about what a name means. The rules are the library's, which declares them in code.
 */
export const customMetricsConfigSchema = z
  .array(customMetricSchema)
  .max(500)
  .default([])
  .superRefine((list, ctx) => {
    for (const p of customMetricListProblems(list))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
