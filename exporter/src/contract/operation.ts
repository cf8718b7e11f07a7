import { z } from 'zod';

/** Who may call an operation: a token scope, any valid token, or no token at all (outside /api/v1). */
export type OperationScope = 'read' | 'write' | 'ingest' | 'alertmanager' | 'any token' | 'none';

/** Error answers described once in components.responses and referred to by name. */
export const ERROR_RESPONSES = {
  BadRequest: 'Invalid input; the message names the field.',
  Unauthorized: 'Missing or unknown bearer token.',
  Forbidden: 'The token lacks the scope this endpoint requires.',
  NotFound: 'No such incident.',
  Conflict:
    "The transition is not allowed from the incident's current state (code invalid_transition), e.g.\n" +
    'acknowledging twice or moving a resolved incident to monitoring; or the If-Match version is no\n' +
    'longer the current one (code stale_change). The message says why.\n',
  StoreUnavailable: 'The store cannot be read right now (code `store_unavailable`); try again later.',
} as const;
export type ErrorResponseName = keyof typeof ERROR_RESPONSES;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'forbidden' }),
      message: z.string().meta({ example: 'token "ingester" lacks the "read" scope this endpoint requires' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

/** One answer of an operation: a JSON body (schema), another media type (contentType), or a shared error. */
export type OperationResponse =
  { description: string; schema?: z.ZodType; contentType?: string } | ErrorResponseName;

/** A request header the operation reads. */
export interface HeaderParameter {
  name: string;
  description: string;
  schema: z.ZodType;
}

/**
 * One route of the service as the contract states it. The route's handler validates its input with
 * `params`, `query` and `body` and types its answers with the response schemas; openapi.yaml and the
 * Grafana app's types are generated from these objects, and tests check the service against them.
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The OpenAPI path relative to the mount (`/incidents/{id}`); express' `:id` becomes `{id}`. */
  path: string;
  /** Where the route is mounted: the JSON API (`/api/v1`, the default) or the service root. */
  mount?: '/api/v1' | '/';
  operationId: string;
  scope: OperationScope;
  summary: string;
  description?: string;
  /** Path parameters: an object schema whose keys are the `{names}` of `path`. */
  params?: z.ZodObject;
  /** Query parameters: an object schema, or an intersection of object schemas. */
  query?: z.ZodType;
  headers?: HeaderParameter[];
  body?: z.ZodType;
  responses: Record<number, OperationResponse>;
}

/** Identity function that checks an operation's shape where it is declared. */
export const operation = (op: ApiOperation): ApiOperation => op;

/** The usual error answers of an authenticated /api/v1 operation. */
export const AUTH_ERRORS = { 401: 'Unauthorized', 403: 'Forbidden' } as const;

export const ACTING_USER: HeaderParameter = {
  name: 'X-Grafana-User',
  description:
    "The acting user, recorded on the timeline. Grafana's plugin proxy sends it (grafana.ini\n" +
    "`[dataproxy] send_user_header = true`); without it the token's name is recorded. The header name is\n" +
    'incidents.userHeader.\n',
  schema: z.string().max(200),
};
