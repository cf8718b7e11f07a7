import type { NextFunction, Request, Response } from 'express';
import { ApiError, sendError } from '../kit/errors';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * What of an unexpected error may be logged: its class, codes and message, never the SQL text knex
 * prefixes to a driver's message nor the driver's detail, both of which carry the values written
 * (label values, titles, SQL samples).
 */
export function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err).slice(0, 500) };
  const e = err as Error & { code?: unknown; constraint?: unknown; table?: unknown };
  // knex: "<sql> - <driver message>"; keep the driver's message only.
  const cut = e.message.lastIndexOf(' - ');
  const message = (cut >= 0 ? e.message.slice(cut + 3) : e.message).slice(0, 500);
  return {
    type: e.name,
    message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
    ...(typeof e.table === 'string' ? { table: e.table } : {}),
    stack: e.stack?.split('\n').slice(1, 8).join('\n'),
  };
}

/** Last error handler of the API: every error becomes a JSON body; internals never leak. */
export function jsonErrorHandler(onUnexpected: (err: unknown, req: Request) => void) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof ApiError) return sendError(res, err);
    const bp = err as BodyParserError;
    if (bp.type === 'entity.too.large')
      return sendError(
        res,
        new ApiError(413, 'body_too_large', `request body exceeds the limit of ${bp.limit} bytes`),
      );
    if (bp.type === 'entity.parse.failed')
      return sendError(res, new ApiError(400, 'invalid_json', 'request body is not valid JSON'));
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported')
      return sendError(
        res,
        new ApiError(415, 'unsupported_encoding', 'request body encoding is not supported'),
      );
    if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500)
      return sendError(res, new ApiError(bp.status, 'bad_request', (err as Error).message));
    onUnexpected(err, req);
    sendError(res, new ApiError(500, 'internal', 'internal error; the service log has the details'));
  };
}
