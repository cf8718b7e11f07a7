import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { series } from './support/prom-text';

// Shared with bench/install.mjs: npm pack, npm install --prefer-offline into an empty app, footprint.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const install = require('../../../bench/install-footprint.js') as {
  REPO: string;
  packLibrary(dest: string): string;
  installApp(dir: string, specs: string[]): void;
  footprint(app: string): { packages: string[]; nativeBuilds: string[] };
};

/** The README's "Instrument an Express app" example, verbatim: the first js block under that heading. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(install.REPO, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Instrument an Express app'));
  const code = section && /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no js block under "## Instrument an Express app"');
  return code;
}

/**
 * Preloaded into the example's process: the example listens on 3000 as written, the test may not
 * (machines run several at once), so listen() is given port 0 and the real port is printed.
 */
const PORT_ZERO = `
const http = require('node:http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (_port, ...rest) {
  this.once('listening', () => console.log('listening ' + this.address().port));
  return listen.call(this, 0, ...rest);
};
`;

const LIBRARY_PKG = JSON.parse(
  fs.readFileSync(path.join(install.REPO, 'exporter/library/package.json'), 'utf8'),
) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };

let dir: string;
let app: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfwatch-packed-'));
  const tarball = install.packLibrary(dir);
  app = path.join(dir, 'app');
  install.installApp(app, [tarball, `express@${LIBRARY_PKG.devDependencies.express}`]);
  fs.writeFileSync(path.join(app, 'index.js'), readmeExample());
  fs.writeFileSync(path.join(app, 'port-zero.js'), PORT_ZERO);
}, 180_000);

afterAll(() => {
  child?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function startExample(): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-r', './port-zero.js', 'index.js'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.stderr.on('data', (d: Buffer) => (err += d));
    proc.on('exit', (code) => reject(new Error(`the README example exited (${code}): ${err}`)));
  });
}

test("the README's Express example runs against the packed library and serves its metrics", async () => {
  const port = await startExample();
  const user = await fetch(`http://127.0.0.1:${port}/users/42`);
  expect(await user.json()).toEqual({ id: '42' });
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(
    series(text, 'http_server_request_duration_seconds_count', {
      method: 'GET',
      route: '/users/:id',
      status_code: '200',
    })[0]?.value,
  ).toBe(1);
}, 30_000);

test('installing the library builds nothing natively and brings no driver', () => {
  const { packages, nativeBuilds } = install.footprint(app);
  expect(nativeBuilds).toEqual([]);
  const names = packages.map((p) => p.slice(0, p.lastIndexOf('@')));
  const drivers = [
    ...Object.keys(LIBRARY_PKG.peerDependencies).filter((d) => d !== 'express'),
    'better-sqlite3',
  ];
  expect(names.filter((n) => drivers.includes(n))).toEqual([]);
});
