const KNOWN_OPERATIONS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'MERGE',
  'WITH',
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'SET',
  'SHOW',
  'EXPLAIN',
  'CALL',
  'COPY',
  'GRANT',
  'REVOKE',
  'LOCK',
  'VACUUM',
  'ANALYZE',
  'DO',
]);

/**
 * Characters of a statement scanned for its first keyword. Leading comments longer than this make the
 * operation OTHER: the label is a hint, and an unbounded scan would let a sender choose our CPU time.
 */
export const MAX_OPERATION_SCAN = 4096;
/** Longest keyword in KNOWN_OPERATIONS; a longer run of letters cannot be one. */
const MAX_KEYWORD = 9;

/** The characters JavaScript's `\s` matches (what the scanner replaced), without a regex per character. */
function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 65279
  );
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * The first keyword of a statement after leading whitespace, block and line comments and one optional
 * `(`, with the number of characters the scan looked at. Written by hand rather than as a regex: the
 * regex this replaces (`^\s*(?:\/\*[\s\S]*?\*\/\s*|--[^\n]*\n\s*)*\(?\s*([A-Za-z]+)`) backtracked
 * exponentially on repeated comments (28 empty block comments blocked the event loop for seconds). This scan
 * visits each character of the bounded prefix at most once, so `steps` never exceeds MAX_OPERATION_SCAN.
 */
export function scanSqlOperation(sql: string): { keyword: string | undefined; steps: number } {
  const end = Math.min(sql.length, MAX_OPERATION_SCAN);
  // indexOf on the prefix only: a comment left open must not send it through the whole statement.
  const head = end < sql.length ? sql.slice(0, end) : sql;
  let i = 0;
  for (;;) {
    while (i < end && isSpace(sql.charCodeAt(i))) i++;
    if (i + 1 < end && sql.charCodeAt(i) === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const close = head.indexOf('*/', i + 2);
      if (close < 0) return { keyword: undefined, steps: end };
      i = close + 2;
      continue;
    }
    if (i + 1 < end && sql.charCodeAt(i) === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const nl = head.indexOf('\n', i + 2);
      if (nl < 0) return { keyword: undefined, steps: end };
      i = nl + 1;
      continue;
    }
    break;
  }
  if (i < end && sql.charCodeAt(i) === 40 /* ( */) {
    i++;
    while (i < end && isSpace(sql.charCodeAt(i))) i++;
  }
  const start = i;
  while (i < end && isLetter(sql.charCodeAt(i))) i++;
  const steps = i;
  // A run of letters cut by the scan bound might continue past it: not a keyword we can name.
  if (i === start || (i === end && end < sql.length)) return { keyword: undefined, steps };
  return { keyword: sql.slice(start, i), steps };
}

/** First keyword of a statement, upper-cased; anything unknown is OTHER so the label stays bounded. */
export function sqlOperation(sql: string): string {
  const { keyword } = scanSqlOperation(sql);
  if (keyword === undefined || keyword.length > MAX_KEYWORD) return 'OTHER';
  const op = keyword.toUpperCase();
  return KNOWN_OPERATIONS.has(op) ? op : 'OTHER';
}

/** Statements longer than this are scanned each time: as cache keys they would hold their text. */
const MAX_CACHED_SQL_CHARS = 512;
/** Statements cached at most: with the length cap, at most about 1 MB of statement text. */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * The operation of each statement text, remembered: an app runs the same few hundred statements over
 * and over, mostly the same string objects, whose hash V8 keeps, so a hit is one Map lookup. Written by
 * hand rather than with lru-cache: its bookkeeping on every hit costs more than the scan it saves, and
 * starting over when full keeps the bound without it (a workload of ever-new texts just scans).
 */
export class SqlOperationCache {
  private readonly operations = new Map<string, string>();

  of(sql: string): string {
    let operation = this.operations.get(sql);
    if (operation === undefined) {
      operation = sqlOperation(sql);
      if (sql.length <= MAX_CACHED_SQL_CHARS) {
        if (this.operations.size >= MAX_CACHED_STATEMENTS) this.operations.clear();
        this.operations.set(sql, operation);
      }
    }
    return operation;
  }

  get size(): number {
    return this.operations.size;
  }
}
