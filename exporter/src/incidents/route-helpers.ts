/** What the incident route files share: the runtime they act on, who acts, versions and error mapping. */
import type { Request, Response } from 'express';
import type { Principal, ServiceContext } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import type { AlertmanagerClient } from '../upstream/alertmanager';
import type { DiagnosticsCollector } from './diagnostics';
import type { DiagnosticsQueue } from './diagnostics-queue';
import { TransitionError } from './lifecycle';
import type { Actor } from './model';
import { type IncidentRepository, NotFoundError, StaleChangeError } from './repository';
import { idParam } from './api-requests';
import type { WatchdogMonitor } from './watchdog';

/** What the module's start() builds and the routes use. */
export interface IncidentsRuntime {
  repository: IncidentRepository;
  collector: DiagnosticsCollector;
  /** Absent when automatic diagnostics are disabled. */
  diagnostics?: DiagnosticsQueue;
  /** Absent when no Alertmanager URL is configured. */
  alertmanager?: AlertmanagerClient;
  watchdog: WatchdogMonitor;
}

/** Routes are registered before or after start(); handlers read the runtime when a request comes. */
export type RuntimeOf = () => IncidentsRuntime;

/** Node hands header bytes over as latin1; Grafana sends UTF-8 logins, so decode them when valid. */
function headerText(raw: string): string {
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? raw : utf8;
}

/** The person behind a request: the user header Grafana forwards, else the token's name. */
export function actorOf(ctx: ServiceContext, req: Request, res: Response): Actor {
  const principal = res.locals.principal as Principal;
  const raw = req.get(ctx.config.incidents.userHeader);
  const name = raw === undefined ? '' : headerText(raw).trim().slice(0, 200);
  return { name: name || principal.name, tokenName: principal.name };
}

export const incidentIdOf = (req: Request): number => parseOr400(idParam, req.params.id, 'incident id');

/** The incident's version as an entity tag: its updatedAt in epoch milliseconds (strictly increasing). */
export function etagOf(incident: { updatedAt: string }): string {
  return `"${Date.parse(incident.updatedAt)}"`;
}

/** If-Match on a lifecycle change: the ETag the client last read; absent means "whatever is current". */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"(\d{1,16})"$/.exec(header.trim());
  if (!m)
    throw new ApiError(
      400,
      'invalid_if_match',
      'If-Match must be one ETag as GET /api/v1/incidents/{id} returns it, e.g. "1765000000000"',
    );
  return Number(m[1]);
}

/** Maps the repository's and state machine's refusals to API errors. */
export async function refusalsAsApiErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TransitionError) throw new ApiError(err.status, err.code, err.message);
    if (err instanceof NotFoundError) throw new ApiError(404, 'not_found', err.message);
    if (err instanceof StaleChangeError) throw new ApiError(409, 'stale_change', err.message);
    throw err;
  }
}
