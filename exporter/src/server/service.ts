import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { PerfwatchConfig } from '../config/schema';
import {
  Recorder,
  mergeBuckets,
  DEFAULT_BUCKETS,
  redactUrl,
  registerSystemMetrics,
} from '@perfwatch/node/internal';
import { createLogger, type Logger } from '../logger';
import { resolveSlas, slaBucketBounds } from '../sla/model';
import { checkpointMetrics } from '../store/checkpoint-metrics';
import { openStore } from '../store/store';
import { VERSION } from '../version';
import { type BoundModule, createApp } from './app';
import type { ServiceContext, ServiceModule } from '../kit/module';
import { TokenAuth } from './auth';
import { answerClientErrorsAsJson } from './client-errors';
import {
  checkProvided,
  moduleContext,
  Provisions,
  rootContext,
  startOrder,
  type BaseContext,
} from './compose';
import { serviceModules } from './modules';

export interface RunningService {
  ctx: ServiceContext;
  server: Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  url: string;
  /** Stops accepting connections, flushes modules, closes the store. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  modules?: ServiceModule[];
  logger?: Logger;
}

/** Starts `perfwatch serve`: store (migrated), modules, HTTP server. */
export async function startService(
  config: PerfwatchConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.log.level);
  // A broken SLA section stops the start before anything opens (store, timers, the port).
  resolveSlas(config.sla, config.metrics.httpBuckets);
  // A need nobody provides, or a cycle, stops the start before anything opens too.
  const modules = startOrder(options.modules ?? serviceModules());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const recorder = new Recorder(registry, config.metrics.labelCaps, {
    ...DEFAULT_BUCKETS,
    // Every SLA latency target and threshold becomes a bucket bound, so SLIs read an exact `le`.
    http: mergeBuckets(config.metrics.httpBuckets, slaBucketBounds(config.sla)),
  });
  recorder.metrics.buildInfo.set({ version: VERSION, node_version: process.version }, 1);

  let systemRegistry: Registry | undefined;
  if (config.server.systemMetrics) {
    systemRegistry = new Registry();
    registerSystemMetrics(systemRegistry);
  }

  const store = await openStore(config.store.url, undefined, {
    checkpoints: { onCheckpoint: checkpointMetrics(registry, logger) },
  });
  let schemaVersion: number;
  try {
    schemaVersion = await store.migrate();
  } catch (err) {
    // An open pool keeps the process alive: without this a failed start hangs instead of exiting.
    await store.close().catch(() => undefined);
    throw err;
  }
  logger.info({ store: redactUrl(config.store.url), schemaVersion }, 'store ready');

  const base: BaseContext = {
    config,
    registry,
    recorder,
    store,
    logger,
    auth: new TokenAuth(config.tokens),
    startedAt: new Date(),
  };
  const provisions = new Provisions();
  const ctx = rootContext(base, provisions);
  if (!ctx.auth.configured)
    logger.warn('no API tokens configured: /api/v1 answers 401 until PERFWATCH_TOKEN_* are set');
  const bound = modules.map((module) => ({ module, ctx: moduleContext(base, provisions, module) }));
  const started: typeof bound = [];
  try {
    for (const b of bound) {
      started.push(b);
      await b.module.start?.(b.ctx);
      checkProvided(b.module, provisions);
    }
  } catch (err) {
    // Timers and pools of the modules already started would keep a failed start's process alive.
    await stopModules(started, logger);
    await store.close().catch(() => undefined);
    throw err;
  }

  const app = createApp(ctx, bound, systemRegistry);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.server.port, config.server.host, () => resolve(s));
    s.once('error', reject);
  });
  answerClientErrorsAsJson(server, recorder);
  const port = (server.address() as AddressInfo).port;
  const host =
    config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    { url, modules: modules.map((m) => m.name), tokenNames: config.tokens.map((t) => t.name) },
    'perfwatch listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await stopModules(bound, logger);
      await store.close();
      logger.info('perfwatch stopped');
    })());
  return { ctx, server, port, url, stop };
}

/** Stops modules in the reverse of their start order; one failing does not keep the others running. */
async function stopModules(bound: BoundModule[], logger: Logger): Promise<void> {
  for (const { module, ctx } of [...bound].reverse()) {
    try {
      await module.stop?.(ctx);
    } catch (err) {
      logger.error({ err, module: module.name }, 'module failed to stop cleanly');
    }
  }
}
