import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/*
 * The pages are thin (issue 15): URL state, fetching and mutations live in hooks, tables and forms
 * in components, and a page never reaches into another page (what two pages share goes to a
 * module both import).
 */
const PAGES = __dirname;
const pageFiles = readdirSync(PAGES, { recursive: true, encoding: 'utf8' })
  .filter((f) => /Page\.tsx$/.test(f))
  .map((f) => path.join(PAGES, f));
const MAX_PAGE_LINES = 200;

describe('page modules', () => {
  it('exist (the scan finds them)', () => {
    expect(pageFiles.length).toBeGreaterThanOrEqual(7);
  });

  it.each(pageFiles.map((f) => [path.relative(PAGES, f), f]))('%s imports no other page', (_name, file) => {
    const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((i) => /Page$/.test(i))).toEqual([]);
  });

  it.each(pageFiles.map((f) => [path.relative(PAGES, f), f]))(
    `%s stays under ${MAX_PAGE_LINES} lines`,
    (_name, file) => {
      expect(readFileSync(file, 'utf8').split('\n').length).toBeLessThanOrEqual(MAX_PAGE_LINES);
    },
  );
});
