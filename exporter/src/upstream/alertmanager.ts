import { z } from 'zod';
import { TransportError, Upstream } from './transport';

/** Alertmanager could not be reached or refused the request; the message says which. */
export class AlertmanagerError extends Error {}

export interface SilenceRequest {
  labels: Record<string, string>;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

const createdSchema = z.object({ silenceID: z.string().min(1) });

/**
 * The two calls of Alertmanager's API v2 that silencing needs (`POST /api/v2/silences`,
 * `DELETE /api/v2/silence/{id}`); hand-written because the official client is generated Go.
 */
export class AlertmanagerClient {
  private readonly upstream: Upstream;

  /**
   * No retries: a silence POST that timed out may still have been created, and a repeat would make
   * a second one; the person silencing sees the error and decides.
   */
  constructor(config: { url: string; timeoutMs: number }) {
    this.upstream = new Upstream({ name: 'Alertmanager', ...config, retries: 0 });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res;
    try {
      res = await this.upstream.once(path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err instanceof TransportError)
        throw new AlertmanagerError(
          `Alertmanager at ${this.upstream.displayUrl} is unreachable: ${err.detail}`,
        );
      throw err;
    }
    if (res.status < 200 || res.status > 299)
      throw new AlertmanagerError(
        `Alertmanager answered ${method} ${path} with HTTP ${res.status}: ${res.text.slice(0, 300).trim()}`,
      );
    try {
      return res.text ? (JSON.parse(res.text) as unknown) : undefined;
    } catch {
      throw new AlertmanagerError(`Alertmanager answered ${method} ${path} with something other than JSON`);
    }
  }

  /** One silence matching exactly this label set (equality matchers); returns its id. */
  async createSilence(s: SilenceRequest): Promise<string> {
    const body = {
      matchers: Object.entries(s.labels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    const parsed = createdSchema.safeParse(await this.call('POST', '/api/v2/silences', body));
    if (!parsed.success)
      throw new AlertmanagerError('Alertmanager answered a silence request without a silenceID');
    return parsed.data.silenceID;
  }

  /** Expires a silence; one already expired or unknown (Alertmanager forgot it) counts as done. */
  async expireSilence(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
    } catch (err) {
      if (/HTTP (404|500): .*(not found|already expired)/i.test((err as Error).message)) return;
      throw err;
    }
  }
}
