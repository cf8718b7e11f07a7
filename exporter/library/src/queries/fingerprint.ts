import { createHash } from 'node:crypto';

/*
 * SQL fingerprinting in the spirit of pt-fingerprint: literals become `?`, lists collapse, comments and
 * whitespace fold, unquoted words are lower-cased. Written by hand because the parsers on npm are
 * dialect-specific (pgsql-parser needs a native PostgreSQL build; node-sql-parser is ~1 MB, throws on
 * vendor syntax and is about 100× slower). It is one pass over char codes that writes the output as it
 * goes (no token objects), so it never throws and runs 5–8 times faster than pt-fingerprint per CPU second
 * (bench/FINGERPRINT.md): anything it does not recognise is passed through as one character. It reads
 * each input character a bounded number of times, so a 1 MB statement takes milliseconds
 * (test/queries-fingerprint-linear.test.ts counts the reads).
 */

export interface NormalisationRule {
  pattern: RegExp;
  replacement: string;
}

export interface FingerprintOptions {
  /** Extra rewrites applied to the fingerprint text, e.g. `tbl_\d+` → `tbl_N`. */
  rules?: readonly NormalisationRule[];
  /**
   * Whether a backslash escapes a quote inside `'…'`. MySQL and MariaDB say yes (by default); PostgreSQL,
   * SQLite and SQL Server say no (PostgreSQL only inside `E'…'`, which is always honoured). Getting it
   * wrong could let the rest of a statement be read as SQL, so it follows the database.
   */
  backslashEscapes?: boolean;
}

/** The quoting rule of a database system (db_system label value). */
export function backslashEscapesIn(dbSystem: string | undefined): boolean {
  return dbSystem === 'mysql' || dbSystem === 'mariadb';
}

// Character classes of ASCII codes; everything from 128 up is part of a word (except U+0085, a blank).
const C_PUNCT = 0;
const C_BLANK = 1;
const C_DIGIT = 2;
const C_WORD = 3;
const CLASS = new Uint8Array(128);
for (let k = 0; k < 128; k++) {
  CLASS[k] =
    k <= 32
      ? C_BLANK
      : k >= 48 && k <= 57
        ? C_DIGIT
        : (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95
          ? C_WORD
          : C_PUNCT;
}
/** 1 for ASCII word characters: letters, digits, _ and $. */
const WORD_CHAR = new Uint8Array(128);
/** ASCII lower-casing. */
const LOWER = new Uint8Array(128);
for (let k = 0; k < 128; k++) {
  WORD_CHAR[k] = CLASS[k] === C_WORD || CLASS[k] === C_DIGIT || k === 36 ? 1 : 0;
  LOWER[k] = k >= 65 && k <= 90 ? k + 32 : k;
}
const isWordCode = (k: number) => (k >= 128 ? k !== 0x85 : CLASS[k] >= C_DIGIT || k === 36); // letters, digits, _, $
const isDigitCode = (k: number) => k >= 48 && k <= 57;
const isHexCode = (k: number) => isDigitCode(k) || (k >= 97 && k <= 102) || (k >= 65 && k <= 70);

/** Words after which `- 5` is a negative literal rather than a subtraction. */
const KEYWORDS_BEFORE_VALUE = new Set([
  'select',
  'where',
  'and',
  'or',
  'not',
  'by',
  'then',
  'else',
  'when',
  'values',
  'set',
  'limit',
  'offset',
  'in',
  'between',
  'like',
  'return',
  'returning',
  'having',
  'on',
]);

// Kinds of emitted tokens.
const K_NONE = 0;
const K_WORD = 1;
const K_VALUE = 2; // a literal or placeholder (`?`), or an already-collapsed list (`?+`)
const K_QUOTED = 3; // quoted identifier, kept verbatim
const K_PUNCT = 4;

// Punctuation is identified by its char code; multi-character operators by these codes.
const OP_BASE = 256;
const OPS = ['<=', '>=', '<>', '!=', '||', '::', '->', '=>', '<<', '>>', '@>', '<@', '&&', '->>', '#>>'];
const OP_CODE = new Map(OPS.map((op, i) => [op, OP_BASE + i]));
/** Operator codes by their first two char codes (k1 * 128 + k2), so no string is made to look one up. */
const OP_PAIR = new Map(
  OPS.flatMap((op, i) => (op.length === 2 ? [[op.charCodeAt(0) * 128 + op.charCodeAt(1), OP_BASE + i]] : [])),
);
/** 1 for characters an operator can start with. */
const OP_FIRST = new Uint8Array(128);
for (const op of OPS) OP_FIRST[op.charCodeAt(0)] = 1;
const OP_NE = OP_BASE + 2;
const OP_NE2 = OP_BASE + 3;
const OP_CAST = OP_BASE + 5;
const P_OPEN = 40; // (
const P_CLOSE = 41; // )
const P_COMMA = 44;
const P_MINUS = 45;
const P_DOT = 46;
const P_SEMI = 59;
const P_EQ = 61;

// Words that matter to the writer, found by a hash of the lower-cased word and then compared in full.
const W_IN = 1; // `in (` opens a list
const W_VALUES = 2; // `values (` opens rows
const W_BEFORE_VALUE = 4; // `- 5` after it is a negative literal
const SPECIAL_WORDS = new Map<number, { word: string; flags: number }>();
function hashWord(w: string): number {
  let h = 0;
  for (let j = 0; j < w.length; j++) h = (Math.imul(h, 31) + w.charCodeAt(j)) | 0;
  return h;
}
function special(word: string, flags: number): void {
  const h = hashWord(word);
  const seen = SPECIAL_WORDS.get(h);
  if (seen && seen.word !== word) throw new Error(`hash collision between ${seen.word} and ${word}`);
  SPECIAL_WORDS.set(h, { word, flags: (seen?.flags ?? 0) | flags });
}
for (const w of KEYWORDS_BEFORE_VALUE) special(w, W_BEFORE_VALUE);
special('in', W_IN);
special('values', W_VALUES);
special('value', W_VALUES);

// States of the list collapser: `in (` / `values (` followed by values, commas and `)`.
const L_NONE = 0;
const L_VALUE = 1; // after `(` or `,`: a value must follow
const L_SEP = 2; // after a value: `,` or `)` must follow
const L_ROWS = 3; // after a collapsed VALUES row: `,` may start another row
const L_ROW_OPEN = 4; // after that `,`: `(` must follow
const L_ROW_VALUE = 5;
const L_ROW_SEP = 6;

/*
 * The output is written as code units into a reused buffer: one byte each while every unit fits in
 * Latin-1 (the usual case, decoded with one native call), two once one does not. The writer keeps only
 * what the last two tokens were — enough for spacing, negative numbers, `= NULL` and list collapsing.
 * All of this is module state: the fingerprinter is synchronous, so it is never entered twice at once.
 */
let narrow: Buffer = Buffer.allocUnsafe(4096);
let wide = new Uint16Array(0);
let wideView: Buffer = Buffer.alloc(0);
let isWide = false;
let len = 0;

let collapse = true;
let lastKind = K_NONE;
let lastCode = 0; // punct code, or for words wordCode(): where the word was written
let prevKind = K_NONE;
let prevCode = 0;
let lastStart = 0; // len before the last token (and its blank) was written, to take it back
let list = L_NONE;
let listBefore = L_NONE; // list state before the last token, restored when that token is taken back
let listStart = 0;
let listIsValues = false;
let rowStart = 0;
let semicolonsStart = -1;

function reserve(extra: number): void {
  const need = len + extra;
  if (isWide) {
    if (need > wide.length) {
      const next = new Uint16Array(Math.max(need, wide.length * 2));
      next.set(wide.subarray(0, len));
      wide = next;
      wideView = Buffer.from(wide.buffer, wide.byteOffset, wide.byteLength);
    }
  } else if (need > narrow.length) {
    const next = Buffer.allocUnsafe(Math.max(need, narrow.length * 2));
    narrow.copy(next, 0, 0, len);
    narrow = next;
  }
}

/** Switches the output to two bytes per unit (a unit past Latin-1 is coming). */
function widen(): void {
  if (wide.length < narrow.length) {
    wide = new Uint16Array(narrow.length);
    wideView = Buffer.from(wide.buffer, wide.byteOffset, wide.byteLength);
  }
  for (let j = 0; j < len; j++) wide[j] = narrow[j];
  isWide = true;
}

function putString(s: string): void {
  reserve(s.length);
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (!isWide && c > 255) widen();
    if (isWide) wide[len++] = c;
    else narrow[len++] = c;
  }
}

function put(c: number): void {
  if (isWide) wide[len++] = c;
  else narrow[len++] = c;
}

function resetWriter(collapseLists: boolean, capacity: number): void {
  len = 0;
  isWide = false;
  collapse = collapseLists;
  lastKind = K_NONE;
  lastCode = 0;
  prevKind = K_NONE;
  prevCode = 0;
  lastStart = 0;
  list = L_NONE;
  listBefore = L_NONE;
  semicolonsStart = -1;
  reserve(capacity);
}

/** Whether a token of this kind and code is written after a blank. */
function blankBefore(kind: number, code: number, tightParen: boolean): boolean {
  if (len === 0) return false;
  if (lastKind === K_PUNCT && (lastCode === P_OPEN || lastCode === P_DOT || lastCode === OP_CAST))
    return false;
  if (kind === K_PUNCT) {
    if (code === P_COMMA || code === P_CLOSE || code === P_DOT || code === P_SEMI || code === OP_CAST)
      return false;
    if (code === P_OPEN && tightParen && lastKind === K_WORD) return false;
  }
  return true;
}

function remember(kind: number, code: number, start: number): void {
  prevKind = lastKind;
  prevCode = lastCode;
  lastKind = kind;
  lastCode = code;
  lastStart = start;
}

/** Moves the list collapser on for a value or punctuation; returns true when the token was absorbed. */
function advanceList(kind: number, code: number): boolean {
  const punct = kind === K_PUNCT;
  switch (list) {
    case L_VALUE:
      list = kind === K_VALUE ? L_SEP : L_NONE;
      return false;
    case L_SEP:
      if (punct && code === P_COMMA) list = L_VALUE;
      else if (punct && code === P_CLOSE) {
        len = listStart;
        put(32);
        put(P_OPEN);
        put(63);
        put(43);
        put(P_CLOSE);
        lastKind = K_VALUE; // so that prev becomes the value below
        lastCode = 0;
        remember(K_PUNCT, P_CLOSE, len - 1);
        list = listIsValues ? L_ROWS : L_NONE;
        return true;
      } else list = L_NONE;
      return false;
    case L_ROWS:
      if (punct && code === P_COMMA) {
        rowStart = len;
        list = L_ROW_OPEN;
      } else list = L_NONE;
      return false;
    case L_ROW_OPEN:
      list = punct && code === P_OPEN ? L_ROW_VALUE : L_NONE;
      return false;
    case L_ROW_VALUE:
      list = kind === K_VALUE ? L_ROW_SEP : L_NONE;
      return false;
    case L_ROW_SEP:
      if (punct && code === P_COMMA) list = L_ROW_VALUE;
      else if (punct && code === P_CLOSE) {
        // A further row of a multi-row VALUES: drop it, the first row already stands for all.
        len = rowStart;
        lastKind = K_VALUE;
        lastCode = 0;
        remember(K_PUNCT, P_CLOSE, len - 1);
        list = L_ROWS;
        return true;
      } else list = L_NONE;
      return false;
    default:
      return false;
  }
}

/** Writes punctuation (`text` when it is longer than one character). */
function emitPunct(code: number, text: string | undefined, tightParen: boolean): void {
  const start = len;
  const blank = blankBefore(K_PUNCT, code, tightParen);
  listBefore = list;
  if (list !== L_NONE && advanceList(K_PUNCT, code)) return;
  if (code === P_OPEN && collapse && lastKind === K_WORD && (wordFlags(lastCode) & (W_IN | W_VALUES)) !== 0) {
    list = L_VALUE;
    listStart = start;
    listIsValues = (wordFlags(lastCode) & W_VALUES) !== 0;
  }
  if (code === P_SEMI && !(lastKind === K_PUNCT && lastCode === P_SEMI)) semicolonsStart = start;
  if (blank) put(32);
  if (text === undefined) put(code);
  else for (let j = 0; j < text.length; j++) put(text.charCodeAt(j));
  remember(K_PUNCT, code, start);
}

/** Writes `?` (or `?+` for an already-collapsed list). */
function emitValue(collapsed: boolean): void {
  const start = len;
  const blank = blankBefore(K_VALUE, 0, false);
  listBefore = list;
  if (list !== L_NONE) advanceList(K_VALUE, 0);
  if (blank) put(32);
  put(63);
  if (collapsed) put(43);
  remember(K_VALUE, 0, start);
}

/** A number: `- 5` after an operator, an opening or a keyword is one negative literal. */
function emitNumber(): void {
  if (lastKind === K_PUNCT && lastCode === P_MINUS) {
    if (
      prevKind === K_NONE ||
      (prevKind === K_PUNCT && prevCode !== P_CLOSE) ||
      (prevKind === K_WORD && (wordFlags(prevCode) & W_BEFORE_VALUE) !== 0)
    ) {
      len = lastStart;
      list = listBefore;
      lastKind = prevKind;
      lastCode = prevCode;
      prevKind = K_NONE;
      prevCode = 0;
    }
  }
  emitValue(false);
}

function emitQuoted(text: string): void {
  const start = len;
  const blank = blankBefore(K_QUOTED, 0, false);
  listBefore = list;
  list = L_NONE;
  if (blank) put(32);
  putString(text);
  remember(K_QUOTED, 0, start);
}

/** A word's code: where it was written, or -1 when it is too long to be one of SPECIAL_WORDS. */
const wordCode = (pos: number, length: number) => (length <= 9 ? pos * 16 + length : -1);

/** The SPECIAL_WORDS flags of a written word, looked up only when a decision needs them. */
function wordFlags(code: number): number {
  if (code < 0) return 0;
  const pos = Math.floor(code / 16);
  const length = code % 16;
  let h = 0;
  for (let j = 0; j < length; j++) h = (Math.imul(h, 31) + (isWide ? wide[pos + j] : narrow[pos + j])) | 0;
  const sp = SPECIAL_WORDS.get(h);
  if (sp === undefined || sp.word.length !== length) return 0;
  for (let j = 0; j < length; j++)
    if ((isWide ? wide[pos + j] : narrow[pos + j]) !== sp.word.charCodeAt(j)) return 0;
  return sp.flags;
}

/** Whether the written word at pos is `word` (lower-case ASCII). */
function writtenIs(pos: number, length: number, word: string): boolean {
  if (length !== word.length) return false;
  for (let j = 0; j < length; j++)
    if ((isWide ? wide[pos + j] : narrow[pos + j]) !== word.charCodeAt(j)) return false;
  return true;
}

/**
 * Writes the word starting at sql[from] lower-cased (or the literal it stands for); returns the index
 * just past it. ASCII words are copied in the same loop that finds their end.
 */
function emitWord(sql: string, from: number): number {
  const n = sql.length;
  const start = len;
  if (blankBefore(K_WORD, 0, false)) put(32);
  const pos = len;
  let i = from;
  if (!isWide) {
    // Locals, not the module's variables: this loop runs for every character of every word.
    const out = narrow;
    let l = len;
    for (; i < n; i++) {
      const c = sql.charCodeAt(i);
      if (c >= 128 || WORD_CHAR[c] === 0) break;
      out[l++] = LOWER[c];
    }
    len = l;
  }
  if (i < n && isWordCode(sql.charCodeAt(i))) {
    // Past ASCII (or already writing two-byte units): lower-case the whole word natively.
    while (i < n && isWordCode(sql.charCodeAt(i))) i++;
    len = pos;
    putString(sql.slice(from, i).toLowerCase());
  }
  const length = len - pos;
  if (
    (length === 4 && (writtenIs(pos, 4, 'true') || (writtenIs(pos, 4, 'null') && comparesWithLast()))) ||
    (length === 5 && writtenIs(pos, 5, 'false'))
  ) {
    // true/false, and `= NULL` (a literal comparison; `IS [NOT] NULL` is structure and stays).
    len = start;
    emitValue(false);
    return i;
  }
  listBefore = list;
  list = L_NONE;
  remember(K_WORD, wordCode(pos, length), start);
  return i;
}

const comparesWithLast = () =>
  lastKind === K_PUNCT && (lastCode === P_EQ || lastCode === OP_NE || lastCode === OP_NE2);

/** Buffer's native decoders, present in every Node version since 0.x but missing from @types/node. */
interface RawSlices {
  latin1Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
}

function finish(): string {
  const end = lastKind === K_PUNCT && lastCode === P_SEMI && semicolonsStart >= 0 ? semicolonsStart : len;
  // latin1Slice/ucs2Slice are what toString() calls after its argument checks, which cost more than
  // the copy for a short statement.
  const out = (isWide ? wideView : narrow) as unknown as RawSlices;
  return isWide ? out.ucs2Slice(0, end * 2) : out.latin1Slice(0, end);
}

/**
 * Index just past a quoted run starting at i (quote code q), honouring doubled quotes and, optionally,
 * backslashes. Without backslash escapes it jumps from quote to quote with indexOf, which is native;
 * each search stops at the next quote, which is consumed, so every character is read once. With them it
 * scans by hand: searching for the next backslash with indexOf would read past the closing quote (to
 * the end of the statement when there is none), once per literal — quadratic on a long list of strings.
 */
function skipQuoted(sql: string, i: number, q: number, backslash: boolean): number {
  const n = sql.length;
  if (backslash) {
    for (let j = i + 1; j < n; j++) {
      const c = sql.charCodeAt(j);
      if (c === 92)
        j++; // the escaped character, maybe the quote itself
      else if (c === q) {
        if (sql.charCodeAt(j + 1) !== q) return j + 1;
        j++;
      }
    }
    return n;
  }
  const quote = q === 39 ? "'" : q === 34 ? '"' : '`';
  let j = i + 1;
  for (;;) {
    const end = sql.indexOf(quote, j);
    if (end < 0) return n;
    if (sql.charCodeAt(end + 1) !== q) return end + 1;
    j = end + 2;
  }
}

/** End of a `$tag$…$tag$` / `$$…$$` string starting at i, or -1 when `$` does not open one. */
function dollarQuoteEnd(sql: string, i: number): number {
  let j = i + 1;
  const n = sql.length;
  const first = sql.charCodeAt(j);
  if (first !== 36) {
    // A tag: a letter or _ then letters, digits or _, up to 63 characters, closed by `$`.
    if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95)) return -1;
    j++;
    while (j < n && j - i < 64) {
      const k = sql.charCodeAt(j);
      if (k < 128 && (CLASS[k] === C_WORD || CLASS[k] === C_DIGIT)) j++;
      else break;
    }
    if (sql.charCodeAt(j) !== 36) return -1;
  }
  const tag = sql.slice(i, j + 1);
  const end = sql.indexOf(tag, j + 1);
  return end < 0 ? n : end + tag.length;
}

/** Index just past a number starting at i (digits, `.`, exponent, hex, and a glued word tail). */
function numberEnd(sql: string, i: number): number {
  const n = sql.length;
  if (sql.charCodeAt(i) === 48 && (sql.charCodeAt(i + 1) | 32) === 120) {
    i += 2;
    while (i < n && isHexCode(sql.charCodeAt(i))) i++;
  } else {
    while (i < n) {
      const d = sql.charCodeAt(i);
      if (isDigitCode(d) || d === 46) i++;
      else break;
    }
    if ((sql.charCodeAt(i) | 32) === 101) {
      const s = sql.charCodeAt(i + 1);
      if (s === 43 || s === 45 || isDigitCode(s)) {
        i += 2;
        while (i < n && isDigitCode(sql.charCodeAt(i))) i++;
      }
    }
  }
  // A number glued to letters (1st, 2abc) is identifier-like: the tail goes with it.
  while (i < n && isWordCode(sql.charCodeAt(i))) i++;
  return i;
}

const isBlankCode = (k: number) => k <= 32 || k === 0x85;

/**
 * Looks ahead from the `(` at i of `in (` / `values (`: when only values and commas follow up to `)`,
 * returns the index past it (the list collapses to `(?+)` without writing its elements); otherwise -1,
 * and the general path writes the tokens (its list state machine gives the same result, slower). Anything
 * unusual — comments, NULL, operators, unterminated strings — takes the general path.
 */
function valueListEnd(sql: string, i: number, backslash: boolean): number {
  // Each character is read once into k and tested from there (charCodeAt past the end gives NaN, which
  // fails every test): this loop is most of the time spent on statements with long lists.
  const n = sql.length;
  let j = i + 1;
  let k = sql.charCodeAt(j);
  for (;;) {
    while (k <= 32 || k === 0x85) k = sql.charCodeAt(++j);
    if (k === 45) {
      // `-5` after `(` or `,` is one negative literal, blanks allowed between.
      k = sql.charCodeAt(++j);
      while (k <= 32 || k === 0x85) k = sql.charCodeAt(++j);
      if (!(isDigitCode(k) || (k === 46 && isDigitCode(sql.charCodeAt(j + 1))))) return -1;
    }
    if (k >= 48 && k <= 57) {
      // Plain digits, the usual case, end here; anything else (decimals, exponents, hex, glued words)
      // goes through numberEnd.
      k = sql.charCodeAt(++j);
      while (k >= 48 && k <= 57) k = sql.charCodeAt(++j);
      if (k === 46 || (k < 128 && WORD_CHAR[k] === 1) || k >= 128) {
        j = numberEnd(sql, j);
        k = sql.charCodeAt(j);
      }
    } else if (k === 46 && isDigitCode(sql.charCodeAt(j + 1))) {
      j = numberEnd(sql, j);
      k = sql.charCodeAt(j);
    } else if (k === 39) {
      j = skipQuoted(sql, j, 39, backslash);
      if (j >= n) return -1;
      k = sql.charCodeAt(j);
    } else if (k === 63) {
      j += sql.charCodeAt(j + 1) === 43 ? 2 : 1;
      k = sql.charCodeAt(j);
    } else if (k === 36 && isDigitCode(sql.charCodeAt(j + 1))) {
      j += 2;
      k = sql.charCodeAt(j);
      while (k >= 48 && k <= 57) k = sql.charCodeAt(++j);
    } else return -1;
    while (k <= 32 || k === 0x85) k = sql.charCodeAt(++j);
    if (k === P_CLOSE) return j + 1;
    if (k !== P_COMMA) return -1;
    k = sql.charCodeAt(++j);
  }
}

/** Writes ` (?+)` for a list found by valueListEnd, leaving the writer as the general path would. */
function emitCollapsedList(values: boolean): void {
  listBefore = list;
  put(32);
  put(P_OPEN);
  put(63);
  put(43);
  put(P_CLOSE);
  lastKind = K_VALUE;
  lastCode = 0;
  remember(K_PUNCT, P_CLOSE, len - 1);
  list = values ? L_ROWS : L_NONE;
}

function write(sql: string, collapseLists: boolean, backslash: boolean): string {
  const n = sql.length;
  // Every token adds at most one blank and a collapsed list at most two units, so 2n + 8 suffices
  // for ASCII; longer lower-cased non-ASCII words reserve for themselves.
  resetWriter(collapseLists, 2 * n + 8);
  let i = 0;
  while (i < n) {
    const k = sql.charCodeAt(i);
    const cls = k < 128 ? CLASS[k] : k === 0x85 ? C_BLANK : C_WORD;
    if (cls === C_BLANK) {
      i++;
    } else if (cls === C_WORD) {
      // x'…', b'…', e'…', n'…': typed string literals.
      const lk = k | 32;
      if (sql.charCodeAt(i + 1) === 39 && (lk === 120 || lk === 98 || lk === 101 || lk === 110) && k < 128) {
        // E'…' always has backslash escapes.
        i = skipQuoted(sql, i + 1, 39, backslash || lk === 101);
        emitValue(false);
        continue;
      }
      i = emitWord(sql, i);
    } else if (cls === C_DIGIT || (k === 46 && isDigitCode(sql.charCodeAt(i + 1)))) {
      i = numberEnd(sql, i);
      emitNumber();
    } else if (k === 39) {
      i = skipQuoted(sql, i, 39, backslash);
      emitValue(false);
    } else if (k === 34 || k === 96) {
      const end = skipQuoted(sql, i, k, false);
      // An unterminated identifier runs to the end; trailing blanks would not survive a second pass.
      emitQuoted(end === n ? sql.slice(i, end).trimEnd() : sql.slice(i, end));
      i = end;
    } else if (k === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (k === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (k === 63) {
      const collapsed = sql.charCodeAt(i + 1) === 43;
      emitValue(collapsed);
      i += collapsed ? 2 : 1;
    } else if (k === 36 && isDigitCode(sql.charCodeAt(i + 1))) {
      i += 2;
      while (i < n && isDigitCode(sql.charCodeAt(i))) i++;
      emitValue(false);
    } else {
      if (k === 36) {
        const end = dollarQuoteEnd(sql, i);
        if (end >= 0) {
          i = end;
          emitValue(false);
          continue;
        }
      }
      // Multi-character operators stay together so spacing is stable.
      const k2 = sql.charCodeAt(i + 1);
      if (OP_FIRST[k] === 1 && k2 > 32 && k2 < 128 && CLASS[k2] === C_PUNCT && k2 !== 36) {
        if ((k === 45 || k === 35) && k2 === 62 && sql.charCodeAt(i + 2) === 62) {
          const op = sql.slice(i, i + 3);
          emitPunct(OP_CODE.get(op)!, op, false);
          i += 3;
          continue;
        }
        const code = OP_PAIR.get(k * 128 + k2);
        if (code !== undefined) {
          emitPunct(code, OPS[code - OP_BASE], false);
          i += 2;
          continue;
        }
      }
      if (k === P_OPEN && collapse && lastKind === K_WORD) {
        const flags = wordFlags(lastCode);
        if ((flags & (W_IN | W_VALUES)) !== 0) {
          let end = valueListEnd(sql, i, backslash);
          if (end > 0) {
            const values = (flags & W_VALUES) !== 0;
            emitCollapsedList(values);
            // Further rows of a multi-row VALUES go too; the first stands for all. A row that is not a
            // plain list stops this, and the general path's state machine carries on from its comma.
            while (values) {
              let j = end;
              while (j < n && isBlankCode(sql.charCodeAt(j))) j++;
              if (sql.charCodeAt(j) !== P_COMMA) break;
              j++;
              while (j < n && isBlankCode(sql.charCodeAt(j))) j++;
              if (sql.charCodeAt(j) !== P_OPEN) break;
              const next = valueListEnd(sql, j, backslash);
              if (next < 0) break;
              end = next;
            }
            i = end;
            continue;
          }
        }
      }
      // Whether `(` followed a blank decides `count(*)` vs `in (…)`: kept as written, so stable.
      emitPunct(k, undefined, k === P_OPEN && !(i > 0 && sql.charCodeAt(i - 1) <= 32));
      i++;
    }
  }
  return finish();
}

export interface Fingerprint {
  /** Normalised statement with literals as `?`. */
  text: string;
  /** Stable 16-hex-digit id of the text. */
  id: string;
}

export function fingerprintText(sql: string, options: FingerprintOptions = {}): string {
  let text = write(sql, true, options.backslashEscapes ?? false);
  if (options.rules) for (const r of options.rules) text = text.replace(r.pattern, r.replacement);
  return text;
}

export function fingerprintId(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** The statement with every literal replaced by `?` but lists kept: what a stored sample shows by default. */
export function redactSql(sql: string, options: Pick<FingerprintOptions, 'backslashEscapes'> = {}): string {
  return write(sql, false, options.backslashEscapes ?? false);
}

export function fingerprint(sql: string, options: FingerprintOptions = {}): Fingerprint {
  const text = fingerprintText(sql, options);
  return { text, id: fingerprintId(text) };
}
