import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type PerfwatchConfig, SCOPES, type Scope } from './schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Turns zod issues into lines that name the field and what was expected. */
export function describeIssues(source: string, issues: z.core.$ZodIssue[]): string {
  const lines = issues.map((i) => {
    const where = i.path.length > 0 ? i.path.join('.') : '(top level)';
    return `  ${where}: ${i.message}`;
  });
  return `${source} is not valid:\n${lines.join('\n')}`;
}

type Env = Record<string, string | undefined>;
type Plain = Record<string, unknown>;

function section(obj: Plain, key: string): Plain {
  const v = obj[key];
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) return obj; // schema reports it
  obj[key] ??= {};
  return obj[key] as Plain;
}

function envNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name}: expected a number, got "${raw}"`);
  return n;
}

/** Environment variables that override the file. Documented in the README's configuration reference. */
export function applyEnv(raw: Plain, env: Env): Plain {
  const out = structuredClone(raw);
  const port = envNumber(env, 'PERFWATCH_PORT');
  if (port !== undefined) section(out, 'server').port = port;
  if (env.PERFWATCH_HOST) section(out, 'server').host = env.PERFWATCH_HOST;
  if (env.PERFWATCH_STORE_URL) section(out, 'store').url = env.PERFWATCH_STORE_URL;
  if (env.PERFWATCH_LOG_LEVEL) section(out, 'log').level = env.PERFWATCH_LOG_LEVEL;
  if (env.PERFWATCH_ALERTMANAGER_URL) section(out, 'alertmanager').url = env.PERFWATCH_ALERTMANAGER_URL;
  if (env.PERFWATCH_PROMETHEUS_URL) section(out, 'prometheus').url = env.PERFWATCH_PROMETHEUS_URL;
  if (env.PERFWATCH_SYSTEM_METRICS)
    section(out, 'server').systemMetrics = env.PERFWATCH_SYSTEM_METRICS !== 'false';
  const tokens = Array.isArray(out.tokens) ? [...(out.tokens as unknown[])] : [];
  for (const scope of SCOPES) {
    const token = env[`PERFWATCH_TOKEN_${scope.toUpperCase()}`];
    if (token)
      tokens.push({ name: `env:PERFWATCH_TOKEN_${scope.toUpperCase()}`, token, scopes: [scope as Scope] });
  }
  if (tokens.length > 0) out.tokens = tokens;
  return out;
}

export function parseConfig(raw: unknown, source = 'configuration'): PerfwatchConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(describeIssues(source, result.error.issues));
  return result.data;
}

/**
 * Loads the config: the YAML file at `path` (or $PERFWATCH_CONFIG; none means all defaults),
 * then environment overrides, then validation.
 */
export function loadConfig(
  path: string | undefined = process.env.PERFWATCH_CONFIG,
  env: Env = process.env,
): PerfwatchConfig {
  let raw: Plain = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed)))
      throw new ConfigError(`${path}: expected a mapping of sections at the top level`);
    raw = (parsed ?? {}) as Plain;
  }
  return parseConfig(applyEnv(raw, env), path ?? 'configuration');
}
