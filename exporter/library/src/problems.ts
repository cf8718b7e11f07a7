/*
 * Checks for the options an app passes in code. The library validates them by hand instead of with
 * zod, as the service does at its boundaries: zod takes 8 MB installed, more than the library may cost
 * in all (issue 15: no more than express-prom-bundle). The service's zod schemas for the same shapes
 * (perfwatch.yml's `queries:` and `customMetrics:`) call these checks, so each rule is written once.
 */

/** One thing wrong with an input: where (as zod reports paths) and what was expected. */
export interface Problem {
  path: Array<string | number>;
  message: string;
}

/** `queries.ringSize: expected a positive integer; …` */
export function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path.join('.') || '(value)'}: ${p.message}`).join('; ');
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys of `value` that `known` does not have (zod's `.strict()`). */
export function unknownKeys(value: Record<string, unknown>, known: readonly string[]): Problem[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: [k], message: 'unknown key' }));
}

export function positiveNumber(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'expected a positive number';
}

export function positiveInteger(v: unknown): string | undefined {
  return Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'expected a positive integer';
}
