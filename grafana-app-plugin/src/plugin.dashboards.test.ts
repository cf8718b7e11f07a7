/*
 * The dashboards the app bundles: plugin.json `includes` of type dashboard in the BUILT plugin
 * (dist/), each file present in dist and identical to the generated one in ../dashboards, and
 * every uid the pages link to among them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS } from './utils/routing';

const DIST = path.resolve(__dirname, '../dist');
const GENERATED = path.resolve(__dirname, '../../dashboards');

interface Include {
  type: string;
  name: string;
  path?: string;
}

describe('dashboards bundled with the app', () => {
  let includes: Include[];
  beforeAll(() => {
    const file = path.join(DIST, 'plugin.json');
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: run "npm run build -w grafana-app-plugin" first (the root npm test does)`,
      );
    }
    includes = (JSON.parse(readFileSync(file, 'utf8')) as { includes: Include[] }).includes.filter(
      (i) => i.type === 'dashboard',
    );
  });

  it('includes every generated dashboard, under its own title', () => {
    const generated = readdirSync(GENERATED).filter((f) => f.endsWith('.json'));
    expect(includes.map((i) => i.path).sort()).toEqual(generated.map((f) => `dashboards/${f}`).sort());
    for (const i of includes) {
      const dashboard = JSON.parse(readFileSync(path.join(GENERATED, path.basename(i.path!)), 'utf8')) as {
        title: string;
      };
      expect(i.name).toBe(dashboard.title);
    }
  });

  it('ships each included dashboard in dist, identical to the generated file', () => {
    expect(includes.length).toBeGreaterThan(0);
    for (const i of includes) {
      const shipped = path.join(DIST, i.path!);
      expect(existsSync(shipped)).toBe(true);
      expect(readFileSync(shipped, 'utf8')).toBe(
        readFileSync(path.join(GENERATED, path.basename(i.path!)), 'utf8'),
      );
    }
  });

  it('has every dashboard the pages link to', () => {
    const uids = includes.map(
      (i) => (JSON.parse(readFileSync(path.join(DIST, i.path!), 'utf8')) as { uid: string }).uid,
    );
    for (const uid of Object.values(DASHBOARDS)) {
      expect(uids).toContain(uid);
    }
  });
});
