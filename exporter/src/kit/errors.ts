import type { Response } from 'express';
import type { z } from 'zod';

/** An API error with an HTTP status and a message a person can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function validationError(what: string, error: z.ZodError): ApiError {
  const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = details[0];
  const where = first && first.path ? `${first.path}: ` : '';
  return new ApiError(
    400,
    'invalid_request',
    `invalid ${what}: ${where}${first?.message ?? 'unknown problem'}`,
    details,
  );
}

/** Parses `input` with `schema` or throws a 400 ApiError naming the field. */
export function parseOr400<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(what, r.error);
  return r.data;
}

export function sendError(res: Response, err: ApiError): void {
  res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
}
