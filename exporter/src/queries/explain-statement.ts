/*
 * Turns a stored fingerprint back into a statement a database can EXPLAIN, or says why it must not.
 * A fingerprint is already normalised (literals are `?`, lists `(?+)`, comments gone, unquoted words
 * lower-cased), so a small scanner that knows quoting is enough; a full SQL parser would be the
 * dialect-specific dependency fingerprint.ts explains avoiding. The database is the second line of
 * defence: PostgreSQL's extended protocol and MariaDB's server-side prepare both reject a second
 * statement, and the explain runs in a READ ONLY transaction with a statement timeout.
 */

export type ExplainDialect = 'postgresql' | 'mysql';

export interface ExplainableStatement {
  /** The statement with one placeholder per parameter (`$1…$n` for PostgreSQL, `?` for MySQL). */
  sql: string;
  /** How many parameters are bound (all to NULL). */
  parameters: number;
  /** The leading keyword: what kind of statement is explained. */
  operation: 'select' | 'insert' | 'update' | 'delete' | 'with';
}

/** Why a fingerprint is not explained; `message` is shown to the operator as is. */
export class StatementRefused extends Error {
  constructor(
    readonly reason: 'multiple_statements' | 'not_dml' | 'writes_file' | 'values_rows' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

const ALLOWED = new Set(['select', 'insert', 'update', 'delete', 'with']);
/** Words after which `into` is the target of an INSERT, not SELECT … INTO (a file, variables, a new table). */
const INSERT_INTO = new Set(['insert', 'ignore', 'low_priority', 'delayed', 'high_priority']);

type Token =
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'param'; collapsed: boolean; start: number; end: number }
  | { kind: 'punct'; text: string; start: number; end: number };

/** Skips a quoted identifier or string starting at i (`"…"`, `` `…` ``, `'…'`); doubled quotes stay inside. */
function quotedEnd(sql: string, i: number): number {
  const q = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

function tokens(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === '`' || c === "'") {
      const end = quotedEnd(sql, i);
      out.push({ kind: 'punct', text: 'quoted', start: i, end });
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === '?') {
      const collapsed = sql[i + 1] === '+';
      out.push({ kind: 'param', collapsed, start: i, end: i + (collapsed ? 2 : 1) });
      i += collapsed ? 2 : 1;
    } else if (/[\p{L}\p{N}_$]/u.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[\p{L}\p{N}_$]/u.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j).toLowerCase(), start: i, end: j });
      i = j;
    } else {
      out.push({ kind: 'punct', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

/** The column count of `insert into t (a, b, …) values (?+)`, read back from the column list. */
function insertColumnCount(toks: Token[], valuesAt: number): number | undefined {
  // values ( ?+ ) — the column list is the parenthesised group just before `values`.
  const close = toks[valuesAt - 1];
  if (!close || close.kind !== 'punct' || close.text !== ')') return undefined;
  let depth = 0;
  let columns = 1;
  for (let k = valuesAt - 1; k >= 0; k--) {
    const t = toks[k];
    if (t.kind !== 'punct') continue;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      depth--;
      if (depth === 0) return columns;
    } else if (t.text === ',' && depth === 1) columns++;
  }
  return undefined;
}

/**
 * The statement to EXPLAIN for a fingerprint, with every `?` a parameter bound to NULL, or a
 * StatementRefused. Only one SELECT / INSERT / UPDATE / DELETE (optionally after WITH) passes.
 */
export function explainableStatement(fingerprint: string, dialect: ExplainDialect): ExplainableStatement {
  const toks = tokens(fingerprint);
  if (toks.length === 0) throw new StatementRefused('empty', 'the fingerprint holds no statement');
  // The fingerprint drops trailing semicolons; any other is a second statement.
  if (toks.some((t) => t.kind === 'punct' && t.text === ';'))
    throw new StatementRefused(
      'multiple_statements',
      'the fingerprint holds more than one statement; only a single statement is explained',
    );
  let first = 0;
  while (toks[first]?.kind === 'punct' && (toks[first] as { text: string }).text === '(') first++;
  const lead = toks[first];
  if (!lead || lead.kind !== 'word' || !ALLOWED.has(lead.text))
    throw new StatementRefused(
      'not_dml',
      `only SELECT, INSERT, UPDATE and DELETE statements are explained; this one starts with ${lead?.kind === 'word' ? lead.text.toUpperCase() : 'something else'}`,
    );
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind !== 'word') continue;
    const prev = toks[k - 1];
    if (t.text === 'into' && !(prev?.kind === 'word' && INSERT_INTO.has(prev.text)))
      throw new StatementRefused(
        'writes_file',
        'SELECT … INTO (a file, variables or a new table) is not explained; only plain SELECT, INSERT, UPDATE and DELETE are',
      );
    if (t.text === 'outfile' || t.text === 'dumpfile')
      throw new StatementRefused('writes_file', 'statements that write files are not explained');
  }

  let sql = '';
  let at = 0;
  let n = 0;
  const param = () => (dialect === 'postgresql' ? `$${++n}` : (++n, '?'));
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind !== 'param') continue;
    sql += fingerprint.slice(at, t.start);
    at = t.end;
    if (!t.collapsed) {
      sql += param();
      continue;
    }
    // `(?+)` after VALUES is whole rows: one row of as many parameters as the column list names.
    const open = toks[k - 1];
    const before = toks[k - 2];
    if (open?.kind === 'punct' && open.text === '(' && before?.kind === 'word' && before.text === 'values') {
      const columns = insertColumnCount(toks, k - 2);
      if (columns === undefined)
        throw new StatementRefused(
          'values_rows',
          'the INSERT names no column list, so the number of values per row cannot be rebuilt from the fingerprint',
        );
      sql += Array.from({ length: columns }, param).join(', ');
    } else {
      // `in (?+)`: a one-element list plans like the list the application sent (an IN over parameters).
      sql += param();
    }
  }
  sql += fingerprint.slice(at);
  return { sql, parameters: n, operation: lead.text as ExplainableStatement['operation'] };
}
