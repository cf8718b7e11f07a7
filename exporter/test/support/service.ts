import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import type { PerfwatchConfigInput } from '../../src/config/schema';
import { createLogger } from '../../src/logger';
import { type RunningService, startService, type StartOptions } from '../../src/server/service';

export const TOKENS = {
  read: 'read-token-0123456789abcdef',
  write: 'write-token-0123456789abcdef',
  ingest: 'ingest-token-0123456789abcdef',
  alertmanager: 'alertmanager-token-0123456789ab',
} as const;

export { PG_URL } from '../../library/test/support/env';

export interface TestService extends RunningService {
  /** fetch against the service with an optional scope's token. */
  api(pathname: string, init?: RequestInit & { scope?: keyof typeof TOKENS }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the real service on an ephemeral loopback port with a throwaway SQLite file (or the given store). */
export async function startTestService(
  overrides: PerfwatchConfigInput = {},
  options: StartOptions = {},
): Promise<TestService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfwatch-test-'));
  const config = parseConfig({
    ...overrides,
    server: { port: 0, host: '127.0.0.1', systemMetrics: false, ...overrides.server },
    store: { url: `sqlite:${path.join(dir, 'perfwatch.db')}`, ...overrides.store },
    tokens: overrides.tokens ?? [
      { name: 'reader', token: TOKENS.read, scopes: ['read'] },
      { name: 'writer', token: TOKENS.write, scopes: ['write'] },
      { name: 'ingester', token: TOKENS.ingest, scopes: ['ingest'] },
      { name: 'alertmanager', token: TOKENS.alertmanager, scopes: ['alertmanager'] },
    ],
    log: { level: 'silent', ...overrides.log },
  });
  const service = await startService(config, { logger: createLogger('silent'), ...options });
  return {
    ...service,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (init.scope) headers.set('authorization', `Bearer ${TOKENS[init.scope]}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(`${service.url}${pathname}`, { ...init, headers });
    },
    async close() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
