import { z } from 'zod';
import { AUTH_ERRORS, ErrorBody, operation } from '../contract/operation';
import { appNameSchema, eventSchema, ingestConfigSchema, unsentSchema } from './schema';

/**
 * POST /api/v1/events. The handler checks the batch's envelope itself and each event on its own (a bad
 * event is reported, not fatal), with the limits of the running config; the contract states the
 * schemas with the default limits.
 */
const defaults = ingestConfigSchema.parse({});

export const IngestBatch = z
  .object({
    app: appNameSchema(defaults)
      .optional()
      .describe(
        "The sending app's name. A batch that names its app is that app's heartbeat\n" +
          '(perfwatch_ingest_last_seen_timestamp_seconds{app}, perfwatch_ingest_batches_total{app}),\n' +
          'so an idle app sends {"app": "billing", "events": []} to stay known as alive.',
      ),
    unsent: unsentSchema
      .optional()
      .describe(
        "Events the app's client could not deliver before this batch (Perfwatch unreachable,\n" +
          'timeouts); with app, added to perfwatch_ingest_unsent_events_total{app}.',
      ),
    events: z
      .array(eventSchema(defaults))
      .max(defaults.maxBatch)
      .describe(
        'at most ingest.maxBatch events (default 1000); string limits follow ingest.maxLabelLength and ingest.maxSqlLength',
      ),
  })
  .meta({ id: 'IngestBatch' });

export const IngestResult = z
  .object({
    accepted: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), kind: z.string(), reason: z.string() })),
  })
  .meta({ id: 'IngestResult' });

export type IngestResultBody = z.input<typeof IngestResult>;

export const ingestOperations = [
  operation({
    method: 'post',
    path: '/events',
    operationId: 'ingestEvents',
    scope: 'ingest',
    summary:
      'Ingest request, query, job, file-operation, exception, schedule, queue-depth and custom-metric events from apps in any language',
    description:
      'Each event is validated on its own; good events are recorded through the same recorder as\n' +
      'in-process ones (metrics, slow-query capture, N+1 detection by requestId), bad ones are reported.\n' +
      'Fields that become labels are at most ingest.maxLabelLength characters; distinct values per\n' +
      'label are capped by metrics.labelCaps. The body may be gzip- or deflate-encoded\n' +
      '(Content-Encoding); ingest.bodyLimitBytes applies to the decoded body.\n' +
      "Route templates get a leading slash when they lack one (Laravel's `invoices/{id}` is\n" +
      'recorded as `/invoices/{id}`), placeholders are kept as written.\n' +
      'Format and the Laravel client (clients/laravel): docs/ingestion.md.\n',
    body: IngestBatch,
    responses: {
      200: {
        description: 'What was recorded and what was rejected; the samples are in the store',
        schema: IngestResult,
      },
      202: {
        description:
          'Recorded, but the store cannot be written: slow-query samples are buffered in memory (bounded)',
        schema: IngestResult,
      },
      400: {
        description:
          'Not a batch, a bad app name, or every event rejected (then the body is an IngestResult)',
        schema: z.union([IngestResult, ErrorBody]),
      },
      ...AUTH_ERRORS,
      413: {
        description: 'Body over ingest.bodyLimitBytes or more events than ingest.maxBatch',
        schema: ErrorBody,
      },
    },
  }),
];
