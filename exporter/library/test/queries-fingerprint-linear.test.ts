import fc from 'fast-check';
import { fingerprintText, redactSql, type FingerprintOptions } from '../src/queries/fingerprint';

// It counts reads, not time; but 300 hostile statements take seconds on a loaded CI machine.
jest.setTimeout(60_000);

/*
 * Linearity without a clock: the fingerprinter reads its input only through length, charCodeAt, indexOf
 * and slice, so it is handed an object that answers those and counts the characters each call reads
 * (indexOf: every character it passes, up to the match or the end). Any other access throws, so a new
 * way of reading the input cannot slip past the count. A linear fingerprinter reads each character a
 * bounded number of times; a quadratic one (e.g. searching the rest of the statement once per literal)
 * reads long inputs many times over.
 */
class CountingSql {
  reads = 0;
  constructor(private readonly s: string) {}
  get length(): number {
    return this.s.length;
  }
  charCodeAt(i: number): number {
    this.reads++;
    return this.s.charCodeAt(i);
  }
  indexOf(search: string, from = 0): number {
    const start = Math.max(0, Math.min(from, this.s.length));
    const at = this.s.indexOf(search, start);
    this.reads += (at < 0 ? this.s.length : at + search.length) - start;
    return at;
  }
  slice(start: number, end?: number): string {
    const out = this.s.slice(start, end);
    this.reads += out.length;
    return out;
  }
}

/** How many input characters one fingerprint (and one redaction) of sql reads, per character. */
function readsPerChar(sql: string, options: FingerprintOptions = {}): number {
  const known = new Set(['length', 'charCodeAt', 'indexOf', 'slice', 'reads', 's']);
  const counter = new CountingSql(sql);
  const input = new Proxy(counter, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !known.has(key))
        throw new Error(`the fingerprinter read sql.${key}, which this test does not count`);
      const v = Reflect.get(target, key, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as unknown as string;
  // The counted run must give the same answer as the real string, or the count proves nothing.
  expect(fingerprintText(input, options)).toBe(fingerprintText(sql, options));
  expect(redactSql(input, options)).toBe(redactSql(sql, options));
  return Math.max(0, counter.reads - END_READS) / Math.max(1, sql.length);
}

/**
 * Reads a statement may cost whatever its length: the last token is looked at again at the end of
 * the input (seen: "0 0 … 0" at 8 reads per character plus 2). A constant, so a quadratic scan,
 * hundreds of reads per character, still fails.
 */
const END_READS = 64;

/** Reads per character allowed: each character is looked at a few times (lookahead, then writing). */
const BOUND = 8;

const mysql = { backslashEscapes: true };
const items = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');
const quoted = (i: number) => [`'a${i}'`, `'O''Neil ${i}'`, String.raw`'it\'s ${i}'`, `"x${i}"`][i % 4];

/** Statements whose size grows with n, one per structure the fingerprinter has a fast or slow path for. */
const families: [string, (n: number) => string, FingerprintOptions][] = [
  ['an IN list of numbers', (n) => `select * from t where id in (${items(n, (i) => String(i))})`, {}],
  ['an IN list of strings, MySQL quoting', (n) => `select 1 from t where s IN (${items(n, quoted)})`, mysql],
  [
    'an IN list of strings, standard quoting',
    (n) => `select 1 from t where s in (${items(n, (i) => `'a''${i}'`)})`,
    {},
  ],
  [
    'a multi-row VALUES',
    (n) => `INSERT INTO t (a, b) VALUES ${items(n, (i) => `(${i}, ${quoted(i)})`)}`,
    mysql,
  ],
  [
    'an IN list that does not collapse (an expression at its end)',
    (n) => `select 1 from t where s in (${items(n, quoted)}, now())`,
    mysql,
  ],
  [
    'VALUES rows with an expression in the last one',
    (n) => `insert into t values ${items(n, (i) => `(${i}, 'x')`)}, (now(), 'y')`,
    mysql,
  ],
  [
    'many literals and comments outside lists',
    (n) => Array.from({ length: n }, (_, i) => `/* c${i} */ a${i} = ${quoted(i)} -- x\n and`).join(' '),
    mysql,
  ],
  ['one long string with backslashes', (n) => `select '${'\\\\ab'.repeat(n)}'`, mysql],
  ['one long unterminated string', (n) => `select 'x ${'ab '.repeat(n)}`, mysql],
  ['a long non-ASCII word', (n) => `select ${'Größe'.repeat(n)} from t`, {}],
  ['many dollar-quoted strings', (n) => `select ${items(n, (i) => `$t$v${i}$t$`)}`, {}],
  ['many statements', (n) => 'select 1; '.repeat(n), {}],
];

describe('fingerprinting reads its input a bounded number of times per character', () => {
  test.each(families)('%s', (_name, make, options) => {
    for (const n of [1_000, 4_000]) expect(readsPerChar(make(n), options)).toBeLessThanOrEqual(BOUND);
  });

  test('on hostile statements repeated many times', () => {
    const fragment = fc.oneof(
      fc.constantFrom(
        'select',
        'in',
        'values',
        'null',
        '(',
        ')',
        ',',
        '-',
        '=',
        '--',
        '/*',
        '*/',
        "'",
        "''",
        '\\',
        '"',
        '`',
        '$$',
        '$a$',
        '$1',
        '?',
        '?+',
        ';',
        '\n',
        'ß',
        '0x1f',
        '1.5e3',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(fragment, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (parts, backslashEscapes) => {
          const unit = parts.join(' ');
          const sql = Array.from({ length: Math.ceil(4_000 / (unit.length + 1)) }, () => unit).join(' ');
          expect(readsPerChar(sql, { backslashEscapes })).toBeLessThanOrEqual(BOUND);
        },
      ),
      { numRuns: 300 },
    );
  });
});
