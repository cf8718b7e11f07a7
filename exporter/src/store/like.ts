/**
 * `s` as a literal inside a LIKE pattern: `\`, `%` and `_` escaped with `\`, for a query that says
 * `like ? escape '\'` (SQLite has no default escape character, so the clause is needed on both stores).
 */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
