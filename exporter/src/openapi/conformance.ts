import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { type ApiOperation, ErrorBody } from '../contract/operation';
import { API_OPERATIONS } from './operations';

/**
 * Checks a real answer of the service against the contract: the tests of the exporter and the
 * Grafana app's browser test run every response they see through here.
 */

const API = '/api/v1';

function pattern(op: ApiOperation): RegExp {
  const base = op.mount === '/' ? '' : API;
  const body = `${base}${op.path}`.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${body}/?$`);
}

/** The operation serving `method pathname` (pathname from the service root, no query string). */
export function findOperation(method: string, pathname: string): ApiOperation | undefined {
  const m = method.toLowerCase();
  // Literal paths first: /incidents/stats is not /incidents/{id}.
  const candidates = API_OPERATIONS.filter((op) => op.method === m && pattern(op).test(pathname));
  return candidates.find((op) => !op.path.includes('{')) ?? candidates[0];
}

/** Paths in `sent` that `parsed` (zod's output, which drops unknown keys) lacks: fields the contract omits. */
function undocumented(sent: unknown, parsed: unknown, at: string): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed))
    return sent.flatMap((v, i) => undocumented(v, parsed[i], `${at}[${i}]`));
  if (typeof sent !== 'object' || sent === null || typeof parsed !== 'object' || parsed === null) return [];
  return Object.entries(sent).flatMap(([k, v]) =>
    k in parsed
      ? undocumented(v, (parsed as Record<string, unknown>)[k], `${at}.${k}`)
      : [`${at}.${k}: sent but not in the contract`],
  );
}

/** Problems of `body` against `schema`: zod's issues, and every field the schema does not describe. */
export function schemaViolations(schema: z.ZodType, body: unknown): string[] {
  const r = schema.safeParse(body);
  if (!r.success) return r.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`);
  // Through JSON both sides: a body from fetch's res.json() comes from another realm (jest's sandbox),
  // and deep equality compares prototypes.
  const same = (a: unknown) => JSON.parse(JSON.stringify(a)) as unknown;
  if (isDeepStrictEqual(same(r.data), same(body))) return [];
  const extra = undocumented(body, r.data, '$');
  return extra.length ? extra : ['the parsed body differs from the one sent'];
}

/**
 * What is wrong with one answer of the service, by the contract: [] when it conforms. An answer to a
 * route the contract lacks, or with a status it does not list, is a violation too.
 */
export function responseViolations(
  method: string,
  pathname: string,
  status: number,
  body: unknown,
): string[] {
  const op = findOperation(method, pathname);
  if (!op) return [`${method.toUpperCase()} ${pathname}: no operation in the contract (openapi.yaml)`];
  const where = `${method.toUpperCase()} ${op.mount === '/' ? '' : API}${op.path} ${status}`;
  const r = op.responses[status];
  if (r === undefined) return [`${where}: status not in the contract`];
  const schema = typeof r === 'string' ? ErrorBody : r.schema;
  if (!schema) return [];
  return schemaViolations(schema, body).map((v) => `${where}: ${v}`);
}
