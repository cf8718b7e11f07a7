import { redactUrl } from '../src/redact-url';

describe('the URL redactor', () => {
  test('masks the password of a URL and keeps the user', () => {
    expect(redactUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
  });

  test('masks every URL in a message', () => {
    expect(redactUrl('connect to redis://a:p1@r:6379 failed, then mysql://b:p2@m/db')).toBe(
      'connect to redis://a:***@r:6379 failed, then mysql://b:***@m/db',
    );
  });

  test('masks a user-only authority, which may itself be a token', () => {
    expect(redactUrl('https://tok3n@git.example/x')).toBe('https://***@git.example/x');
  });

  test('an unencoded @ in a password leaves nothing of it behind', () => {
    expect(redactUrl('http://u:p@ss@prom:9090/api')).toBe('http://u:***@prom:9090/api');
  });

  test('leaves URLs without credentials alone', () => {
    expect(redactUrl('http://prom:9090/api/v1/query?x=a@b')).toBe('http://prom:9090/api/v1/query?x=a@b');
  });
});
