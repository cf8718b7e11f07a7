import { z } from 'zod';

/** The largest time a JavaScript Date can hold. */
const MAX_TIME_MS = 8_640_000_000_000_000;

/** A `from`/`to` query parameter: ISO 8601 or epoch milliseconds, as epoch milliseconds. */
export const timeParam = z
  .string()
  .transform((s, ctx) => {
    const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    // Beyond ±8.64e15 ms a Date is invalid and toISOString() throws: a 400, not a 500.
    if (!Number.isFinite(t) || t < 0 || t > MAX_TIME_MS) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or milliseconds since the epoch' });
      return z.NEVER;
    }
    return t;
  })
  .optional();
