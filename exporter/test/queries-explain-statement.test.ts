import { explainableStatement, StatementRefused } from '../src/queries/explain-statement';

const refusal = (fingerprint: string) => {
  try {
    explainableStatement(fingerprint, 'postgresql');
  } catch (err) {
    if (err instanceof StatementRefused) return err.reason;
    throw err;
  }
  return 'explained';
};

describe('which fingerprints are explained', () => {
  test.each([
    ['select * from users where id = ?'],
    ['insert into users (id, email) values (?+)'],
    ['update users set email = ? where id = ?'],
    ['delete from users where id = ?'],
    ['with recent as (select id from orders where at > ?) select * from recent'],
    ['(select id from a) union (select id from b)'],
    ['insert ignore into users (id) values (?+)'],
  ])('%s is explained', (fp) => {
    expect(refusal(fp)).toBe('explained');
  });

  test.each([
    ['select ?; delete from users', 'multiple_statements'],
    ['create table t (id int)', 'not_dml'],
    ['drop table users', 'not_dml'],
    ['call purge_users(?)', 'not_dml'],
    ['set search_path = ?', 'not_dml'],
    ['copy users to ?', 'not_dml'],
    ['select * from users into outfile ?', 'writes_file'],
    ['select * into archive_users from users', 'writes_file'],
    ['select id into @ x from users', 'writes_file'],
    ['insert into users values (?+)', 'values_rows'],
    ['', 'empty'],
  ])('%s is refused (%s)', (fp, reason) => {
    expect(refusal(fp)).toBe(reason);
  });

  test('a semicolon inside a quoted identifier is not a second statement', () => {
    expect(refusal('select "a;b" from users where id = ?')).toBe('explained');
  });
});

describe('the statement sent to the database', () => {
  test('PostgreSQL gets numbered parameters, one per ?', () => {
    const s = explainableStatement('select * from users where id = ? and email in (?+)', 'postgresql');
    expect(s).toEqual({
      sql: 'select * from users where id = $1 and email in ($2)',
      parameters: 2,
      operation: 'select',
    });
  });

  test('collapsed VALUES rows become one row as wide as the column list', () => {
    const s = explainableStatement('insert into users (id, email, "a, b") values (?+)', 'mysql');
    expect(s.sql).toBe('insert into users (id, email, "a, b") values (?, ?, ?)');
    expect(s.parameters).toBe(3);
  });

  test('a ? inside a quoted identifier is not a parameter', () => {
    const s = explainableStatement('select "what?" from users where id = ?', 'postgresql');
    expect(s.sql).toBe('select "what?" from users where id = $1');
    expect(s.parameters).toBe(1);
  });
});
