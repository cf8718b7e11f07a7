import type { NextFunction, Request, Response } from 'express';
import type { ServiceModule } from '../kit/module';
import { ApiError } from '../kit/errors';
import { Ingestor } from './ingest';
import type { IngestResultBody } from './api-schemas';
import { appNameSchema, unsentSchema } from './schema';

export { Ingestor } from './ingest';

/** body-parser error types → perfwatch_dropped_total{component="ingest",reason} for whole batches. */
const BODY_ERRORS: Record<string, string> = {
  'entity.too.large': 'body_too_large',
  'entity.parse.failed': 'invalid_json',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_encoding',
  'request.aborted': 'aborted',
};

/** POST /api/v1/events: events from apps in any language, recorded like in-process ones. */
export function ingestModule(): ServiceModule {
  let ingestor: Ingestor | undefined;
  return {
    name: 'ingest',
    needs: ['customMetrics', 'slowQueries'],
    bodyLimits: (ctx) => ({ '/events': ctx.config.ingest.bodyLimitBytes }),
    start(ctx) {
      ingestor = new Ingestor(ctx.recorder, ctx.config.ingest, ctx.need('customMetrics'));
    },
    routes(router, ctx) {
      const refuse = (reason: string, err: ApiError): never => {
        ctx.recorder.drop('ingest', reason);
        throw err;
      };
      router.post('/events', ctx.auth.require('ingest'), async (req, res) => {
        ingestor ??= new Ingestor(ctx.recorder, ctx.config.ingest, ctx.need('customMetrics'));
        const body = req.body as { events?: unknown; app?: unknown; unsent?: unknown } | undefined;
        if (typeof body !== 'object' || body === null || !Array.isArray(body.events))
          refuse(
            'invalid_batch',
            new ApiError(
              400,
              'invalid_request',
              'expected a JSON object {"events": [ … ]}; see docs/ingestion.md',
            ),
          );
        const { events, app, unsent } = body as { events: unknown[]; app?: unknown; unsent?: unknown };
        let appName: string | undefined;
        if (app !== undefined) {
          const parsed = appNameSchema(ctx.config.ingest).safeParse(app);
          if (!parsed.success)
            refuse(
              'invalid_batch',
              new ApiError(
                400,
                'invalid_request',
                `app: ${parsed.error.issues[0]?.message ?? 'invalid'}; it names the sending app (1-64 characters)`,
              ),
            );
          appName = parsed.data;
        }
        const max = ctx.config.ingest.maxBatch;
        if (events.length > max)
          refuse(
            'batch_too_large',
            new ApiError(
              413,
              'batch_too_large',
              `a batch holds at most ${max} events (ingest.maxBatch); this one has ${events.length}: split it`,
            ),
          );
        const { accepted, rejected } = ingestor.ingest(events, appName);
        // Even an all-rejected batch proves the app is running: its heartbeat counts.
        if (appName !== undefined) {
          ctx.recorder.recordHeartbeat(appName, Date.now());
          // What the app's client could not deliver earlier (Perfwatch down, timeouts): losses stay visible.
          const lost = unsentSchema.safeParse(unsent);
          if (lost.success && lost.data > 0) ctx.recorder.recordUnsent(appName, lost.data);
        }
        if (rejected.length > 0 && accepted === 0)
          return void res.status(400).json({ accepted, rejected } satisfies IngestResultBody);
        // Durability: 200 means the batch's slow-query samples and sampled-out counts are in the store.
        // While the store cannot be written, 202: recorded, samples buffered in memory (bounded).
        const persisted = await ctx.need('slowQueries').commit();
        res.status(persisted ? 200 : 202).json({ accepted, rejected } satisfies IngestResultBody);
      });
      // Bodies refused before the handler ran (too large, not JSON) are counted too.
      router.use('/events', (err: unknown, _req: Request, _res: Response, next: NextFunction) => {
        const type = (err as { type?: unknown } | null)?.type;
        if (typeof type === 'string' && BODY_ERRORS[type]) ctx.recorder.drop('ingest', BODY_ERRORS[type]);
        next(err);
      });
    },
  };
}
