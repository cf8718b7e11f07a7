import type { RequestHandler, Response, Router } from 'express';
import type { Registry } from 'prom-client';
import type { PerfwatchConfig, Scope } from '../config/schema';
import type { Recorder } from '@perfwatch/node/internal';
import type { Logger } from '../logger';
import type { Store } from '../store/store';

/** Who an API request authenticated as; `write` already implies `read`. */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** The service's token check, as routes use it. The server implements it (TokenAuth). */
export interface Authorizer {
  readonly configured: boolean;
  authenticate(header: string | undefined): Principal | undefined;
  /** Answers 401 with a bearer challenge (naming the scope when the route is known). */
  challenge(res: Response, scope?: Scope): void;
  /** Express middleware: 401 without a valid token, 403 when the token lacks the scope. */
  require(scope: Scope): RequestHandler;
}

/**
 * What modules hand one another, by name. Empty here on purpose: each providing feature adds its
 * entry by declaration merging (`declare module '../kit/module'`), so the kit never imports a feature
 * and `ctx.need('slowQueries')` is still typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Capabilities {}
export type Capability = keyof Capabilities;

/** Everything an API module may use. Each module gets its own view, built by the server. */
export interface ServiceContext {
  readonly config: PerfwatchConfig;
  readonly registry: Registry;
  readonly recorder: Recorder;
  readonly store: Store;
  readonly logger: Logger;
  readonly auth: Authorizer;
  readonly startedAt: Date;
  /** What another module provides; only a name this module lists in `needs` (else it throws). */
  need<K extends Capability>(name: K): Capabilities[K];
  /** Hands a value this module lists in `provides` to the modules that need it; call it in start(). */
  provide<K extends Capability>(name: K, value: Capabilities[K]): void;
}

/**
 * One feature's slice of the service: its API routes under /api/v1 and, optionally, background work
 * that starts with the service and is flushed on shutdown (slow-query batches, retention, …).
 * The server starts a module after the providers of everything it `needs`, and stops in reverse.
 */
export interface ServiceModule {
  name: string;
  provides?: readonly Capability[];
  needs?: readonly Capability[];
  routes?(router: Router, ctx: ServiceContext): void;
  /**
   * JSON body limits for some of this module's paths under /api/v1 (exact paths), when they differ
   * from server.bodyLimitBytes, e.g. the ingestion endpoint's.
   */
  bodyLimits?(ctx: ServiceContext): Record<string, number>;
  start?(ctx: ServiceContext): Promise<void> | void;
  /** Flush buffers; called on SIGTERM before the store closes. */
  stop?(ctx: ServiceContext): Promise<void> | void;
}
