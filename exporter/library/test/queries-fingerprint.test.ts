import fc from 'fast-check';
import { fingerprint, fingerprintText, redactSql } from '../src/queries/fingerprint';

describe('fingerprints', () => {
  test('string and number literals become placeholders', () => {
    expect(fingerprintText("SELECT * FROM users WHERE id = 42 AND name = 'O''Brien'")).toBe(
      'select * from users where id = ? and name = ?',
    );
  });

  test('queries that differ only in literals share one fingerprint and id', () => {
    const a = fingerprint("select * from t where a = 1 and b = 'x'");
    const b = fingerprint("SELECT *\n  FROM t   WHERE a = 99 AND b = 'yy' -- note");
    expect(a).toEqual(b);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });

  test('IN lists of any length collapse', () => {
    expect(fingerprintText('select 1 from t where id in (1)')).toBe(
      fingerprintText('select 1 from t where id in (1, 2, 3, 4)'),
    );
    expect(fingerprintText('select 1 from t where id in (1, 2)')).toBe('select ? from t where id in (?+)');
  });

  test('multi-row VALUES collapse', () => {
    expect(fingerprintText("insert into t (a, b) values (1, 'x'), (2, 'y')")).toBe(
      'insert into t (a, b) values (?+)',
    );
  });

  test('driver placeholders stay placeholders', () => {
    expect(fingerprintText('select a from t where b = $1 and c = ?')).toBe(
      'select a from t where b = ? and c = ?',
    );
  });

  test('IS NULL is structure but = NULL is a literal comparison', () => {
    expect(fingerprintText('select 1 from t where a is not null and b = null')).toBe(
      'select ? from t where a is not null and b = ?',
    );
  });

  test('comments, booleans, hex, negative numbers and dollar quotes are folded', () => {
    expect(
      fingerprintText('/* hint */ select x from t where f = true and h = 0xff and n = -5 and s = $$a$$'),
    ).toBe('select x from t where f = ? and h = ? and n = ? and s = ?');
  });

  test('identifiers, quoted identifiers and operators are kept', () => {
    expect(fingerprintText(`select "Weird Col" from tbl_123 where j->>'k' = 'v'`)).toBe(
      `select "Weird Col" from tbl_123 where j ->> ? = ?`,
    );
  });

  test('extra normalisation rules apply', () => {
    const rules = [{ pattern: /tbl_\d+/g, replacement: 'tbl_N' }];
    expect(fingerprintText('select * from tbl_123', { rules })).toBe(
      fingerprintText('select * from tbl_9', { rules }),
    );
  });

  test('PostgreSQL strings end at the quote after a backslash; MySQL strings escape it', () => {
    const pg = String.raw`select * from t where path = 'C:\' and pin = 'Zq9secret'`;
    expect(fingerprintText(pg, { backslashEscapes: false })).toBe(
      'select * from t where path = ? and pin = ?',
    );
    const my = String.raw`select * from t where note = 'it\'s Zq9secret' and id = 1`;
    expect(fingerprintText(my, { backslashEscapes: true })).toBe('select * from t where note = ? and id = ?');
  });

  test('non-ASCII words are lower-cased and quoted identifiers kept as written', () => {
    expect(fingerprintText('SELECT Straße, "Ünïcode Col" FROM Größen WHERE x = 1')).toBe(
      'select straße, "Ünïcode Col" from größen where x = ?',
    );
  });

  test('a redacted sample keeps lists but no literals', () => {
    expect(redactSql("select * from t where id in (1, 2) and name = 'secret'")).toBe(
      'select * from t where id in (?, ?) and name = ?',
    );
  });
});

/** SQL fragments that make up hostile statements. */
const fragment = fc.oneof(
  fc.constantFrom(
    'select',
    'from',
    'where',
    'in',
    'values',
    '(',
    ')',
    ',',
    '=',
    '--',
    '/*',
    '*/',
    "'",
    '"',
    '`',
    '$$',
    '$1',
    '?',
    '?+',
    ';',
    '\\',
    '\n',
    'null',
    'is',
  ),
  fc.string({ maxLength: 8 }),
  fc.integer().map(String),
);
const hostileSql = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(' '));

/** A literal that never occurs in the query template, so finding it in output means a leak. */
const secret = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{5,11}$/).map((s) => `Zq${s}`);

describe('fingerprint properties', () => {
  test('never throws on random and hostile SQL', () => {
    fc.assert(
      fc.property(fc.oneof(hostileSql, fc.string({ maxLength: 200 })), (sql) => {
        fingerprint(sql);
        redactSql(sql);
      }),
      { numRuns: 3000 },
    );
  });

  test('is idempotent: the fingerprint of a fingerprint is unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(hostileSql, fc.string({ maxLength: 200 })), (sql) => {
        const once = fingerprintText(sql);
        expect(fingerprintText(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  test('never leaks a string or number literal', () => {
    const template = fc.constantFrom(
      (v: string) => `select * from users where email = '${v}'`,
      (v: string) => `update t set note = '${v.replace(/'/g, "''")}' where id = 7`,
      (v: string) => `insert into t (a, b) values ('${v}', 1), ('${v}', 2)`,
      (v: string) => `select * from t where name in ('${v}', 'other') -- ${v}`,
      (v: string) => `select $tag$${v}$tag$`,
      (v: string) => `select * from t where s = E'${v}'`,
    );
    fc.assert(
      fc.property(template, secret, (t, v) => {
        const sql = t(v);
        expect(fingerprintText(sql)).not.toContain(v);
        expect(redactSql(sql)).not.toContain(v);
      }),
      { numRuns: 2000 },
    );
  });

  test('never leaks a literal containing quotes or backslashes under either quoting rule', () => {
    const body = fc.stringMatching(/^[A-Za-z0-9 \\']{0,12}$/);
    fc.assert(
      fc.property(body, secret, fc.boolean(), (b, v, backslashEscapes) => {
        const quoted = backslashEscapes
          ? b.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
          : b.replace(/'/g, "''");
        const sql = `select * from t where a = '${quoted}${v}' and b = 2`;
        expect(fingerprintText(sql, { backslashEscapes })).toBe('select * from t where a = ? and b = ?');
      }),
      { numRuns: 2000 },
    );
  });

  test('never leaks a numeric literal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100000, max: 2 ** 31 }), (n) => {
        expect(fingerprintText(`select * from orders where total > ${n} and id = -${n}`)).not.toContain(
          String(n),
        );
      }),
    );
  });
});
