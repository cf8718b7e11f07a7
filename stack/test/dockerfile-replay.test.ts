/**
 * The Dockerfile replay (support/dockerfile-replay.ts) on small Dockerfiles: how it reads the file,
 * and that it keeps Docker's rules where images.test.ts relies on them — .dockerignore, users,
 * failing steps — without writing outside its scratch directory.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImages, parseDockerfile, startContainer } from './support/dockerfile-replay';

describe('parseDockerfile', () => {
  test('joins continuations, skips comments inside them and reads leading flags', () => {
    const { stages } = parseDockerfile(
      [
        'FROM node:24 AS build',
        'RUN --mount=type=cache,target=/root/.npm \\',
        '# a comment',
        '  npm ci \\',
        '  --omit=dev',
      ].join('\n'),
    );
    expect(stages).toEqual([
      {
        base: 'node:24',
        name: 'build',
        instructions: [
          {
            keyword: 'RUN',
            flags: [['mount', 'type=cache,target=/root/.npm']],
            rest: 'npm ci --omit=dev',
            line: 2,
          },
        ],
      },
    ]);
  });

  test('expands an ARG declared before the first FROM in FROM', () => {
    const { stages } = parseDockerfile('ARG IMG=node:24.11.1-bookworm-slim\nFROM ${IMG} AS a\nFROM $IMG\n');
    expect(stages.map((s) => s.base)).toEqual(['node:24.11.1-bookworm-slim', 'node:24.11.1-bookworm-slim']);
  });

  test('refuses an instruction before the first FROM other than ARG', () => {
    expect(() => parseDockerfile('RUN true\nFROM node:24\n')).toThrow('RUN before the first FROM');
  });
});

describe('buildImages', () => {
  let context: string;
  let scratch: string;

  beforeEach(() => {
    context = mkdtempSync(path.join(tmpdir(), 'pw-replay-ctx-'));
    scratch = mkdtempSync(path.join(tmpdir(), 'pw-replay-scratch-'));
    mkdirSync(path.join(context, 'app'));
    writeFileSync(path.join(context, 'app', 'main.js'), 'console.log("hi")\n');
    writeFileSync(path.join(context, 'app', 'secret.env'), 'X=1\n');
    writeFileSync(path.join(context, '.dockerignore'), 'app/*.env\n');
  });

  afterEach(() => {
    rmSync(context, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const build = (dockerfile: string) => {
    writeFileSync(path.join(context, 'Dockerfile'), dockerfile);
    return buildImages({ context, dockerfile: 'Dockerfile', scratch });
  };

  test('COPY leaves out what .dockerignore excludes, and copying it by name fails as in Docker', () => {
    const images = build('FROM node:24\nWORKDIR /srv\nCOPY app app\nCMD ["node", "app/main.js"]\n');
    const upper = images.default.stage.upper;
    expect(existsSync(path.join(upper, 'srv/app/main.js'))).toBe(true);
    expect(existsSync(path.join(upper, 'srv/app/secret.env'))).toBe(false);
    expect(() => build('FROM node:24\nCOPY app/secret.env ./\nCMD ["true"]\n')).toThrow(
      'excluded by .dockerignore',
    );
  });

  test("RUN works on the image's own paths and writes only into the scratch directory", () => {
    const probe = `/replay-probe-${process.pid}`;
    const images = build(`FROM node:24\nRUN mkdir -p ${probe} && echo ok > ${probe}/f\nCMD ["true"]\n`);
    expect(existsSync(probe)).toBe(false);
    expect(readFileSync(path.join(images.default.stage.upper, probe, 'f'), 'utf8')).toBe('ok\n');
  });

  test('a failing RUN stops the build, naming the Dockerfile line and showing its output', () => {
    expect(() => build('FROM node:24\nWORKDIR /w\nRUN echo from-the-step && exit 3\n')).toThrow(
      /Dockerfile:3 RUN failed \(3\):\nfrom-the-step/,
    );
  });

  test('USER must exist in the image: node (uid 1000) does, as in the official image', () => {
    expect(build('FROM node:24\nUSER node\nCMD ["true"]\n').default.config.user).toBe('node');
    expect(() => build('FROM node:24\nUSER nobody-here\nCMD ["true"]\n')).toThrow('no such user');
  });

  test('a base other than node:* is refused rather than emulated', () => {
    expect(() => build('FROM alpine:3.20\nCMD ["true"]\n')).toThrow('emulates node:* base images only');
  });

  test('the command runs as the image user in its WORKDIR with its ENV', async () => {
    const images = build(
      'FROM node:24\nWORKDIR /srv\nENV GREETING="hello there"\nUSER node\n' +
        'CMD ["sh", "-c", "echo $(id -u) $(pwd) $GREETING $EXTRA"]\n',
    );
    const c = startContainer(images.default, { EXTRA: 'from-run' });
    await new Promise((r) => c.process.once('close', r));
    expect(c.output().trim()).toBe('1000 /srv hello there from-run');
  });
});
