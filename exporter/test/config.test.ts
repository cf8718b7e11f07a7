import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_QUERIES_CONFIG } from '@perfwatch/node/internal';
import { ConfigError, loadConfig } from '../src/config/load';

function file(text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'pw-config-')), 'perfwatch.yml');
  writeFileSync(p, text);
  return p;
}

describe('configuration', () => {
  test('no file gives the documented defaults', () => {
    const c = loadConfig(undefined, {});
    expect(c.server.port).toBe(9470);
    expect(c.store.url).toBe('sqlite:./data/perfwatch.db');
    expect(c.server.systemMetrics).toBe(true);
    expect(c.metrics.httpBuckets[0]).toBe(0.005);
    expect(c.metrics.httpBuckets.at(-1)).toBe(10);
  });

  test('a wrong type names the field and what was expected', () => {
    expect(() => loadConfig(file('server:\n  port: "nine"\n'), {})).toThrow(
      /server\.port: .*expected number/i,
    );
  });

  test('an unknown key is rejected instead of silently ignored', () => {
    expect(() => loadConfig(file('server:\n  prot: 1\n'), {})).toThrow(/server: .*prot/i);
  });

  test('buckets that are not increasing are rejected', () => {
    expect(() => loadConfig(file('metrics:\n  httpBuckets: [0.1, 0.05]\n'), {})).toThrow(
      /metrics\.httpBuckets: buckets must be strictly increasing/,
    );
  });

  test('invalid YAML is reported as such', () => {
    expect(() => loadConfig(file('server: [1,\n'), {})).toThrow(/not valid YAML/);
  });

  test('a missing file is reported with its path', () => {
    expect(() => loadConfig('/nonexistent/perfwatch.yml', {})).toThrow(ConfigError);
  });

  test('environment variables override the file', () => {
    const c = loadConfig(file('server:\n  port: 1234\n'), {
      PERFWATCH_PORT: '5678',
      PERFWATCH_STORE_URL: 'postgres://u@h:5432/db',
      PERFWATCH_TOKEN_READ: 'r'.repeat(20),
      PERFWATCH_TOKEN_INGEST: 'i'.repeat(20),
    });
    expect(c.server.port).toBe(5678);
    expect(c.store.url).toBe('postgres://u@h:5432/db');
    expect(c.tokens.map((t) => t.scopes)).toEqual([['read'], ['ingest']]);
  });

  test('a non-numeric PERFWATCH_PORT is rejected with the variable name', () => {
    expect(() => loadConfig(undefined, { PERFWATCH_PORT: 'abc' })).toThrow(
      /PERFWATCH_PORT: expected a number/,
    );
  });

  test('a short token is rejected', () => {
    expect(() => loadConfig(undefined, { PERFWATCH_TOKEN_READ: 'short' })).toThrow(
      /tokens\.0\.token: a token must be at least 16/,
    );
  });

  test("a wrong queries field names the field and what was expected (the library's rule)", () => {
    expect(() => loadConfig(file('queries:\n  ringSize: -1\n  callSites: never\n'), {})).toThrow(
      /queries\.ringSize: expected a positive integer[\s\S]*queries\.callSites: expected one of adaptive, always, off/,
    );
  });

  test("no queries section gives the library's defaults and no EXPLAIN connections", () => {
    expect(loadConfig(undefined, {}).queries).toEqual({
      ...DEFAULT_QUERIES_CONFIG,
      explain: { connections: {}, statementTimeoutMs: 5_000 },
    });
  });

  test("queries.explain, the service's own option, is read beside the library's options", () => {
    const c = loadConfig(
      file(
        'queries:\n  ringSize: 2000\n  explain:\n    connections:\n      app: { client: pg, urlEnv: APP_DB }\n',
      ),
      {},
    );
    expect(c.queries.ringSize).toBe(2000);
    expect(c.queries.explain.connections).toEqual({ app: { client: 'pg', urlEnv: 'APP_DB' } });
  });

  test('a wrong queries.explain field names the field under queries.explain', () => {
    expect(() =>
      loadConfig(file('queries:\n  explain:\n    connections:\n      app: { client: oracle, url: x }\n'), {}),
    ).toThrow(/queries\.explain\.connections\.app\.client/);
  });

  test('the shipped example config is valid', () => {
    const c = loadConfig(path.join(__dirname, '..', '..', 'perfwatch.example.yml'), {});
    expect(c.server.port).toBe(9470);
  });

  test('the example config shows the slow-query defaults', () => {
    const c = loadConfig(path.join(__dirname, '..', '..', 'perfwatch.example.yml'), {});
    expect(c.queries).toEqual(loadConfig(undefined, {}).queries);
  });
});
