/**
 * Builds and starts a Dockerfile's image without a Docker engine, by replaying the Dockerfile itself
 * on this machine. Each stage's filesystem is the host's root under a copy-on-write overlay (a
 * private mount namespace per step, `chroot` into the merged view), so WORKDIR, COPY, RUN (through
 * `sh -c`, with the image's ENV and USER), the final ENTRYPOINT/CMD and HEALTHCHECK run with the
 * paths, user and environment the Dockerfile gives them, and nothing is written outside the scratch
 * directory. The build context is filtered by .dockerignore with @balena/dockerignore (a port of
 * Docker's own matcher).
 *
 * What differs from a real engine, on purpose and nowhere else:
 * - the base image: `FROM node:*` is the host's root with the host's Node (the machine may not have
 *   the image's Node major) plus the `node` user (uid/gid 1000) the official image creates; other
 *   bases are refused;
 * - the network is the host's (no port publishing: the caller picks ports through the environment,
 *   as `docker run -e` would);
 * - `RUN --mount=type=cache` reads the host's directory through the overlay (warm, discarded);
 * - `env.buildEnv` adds build-time settings Docker would take from the daemon (proxy, CA bundle) or
 *   from a download the machine cannot make (see the caller).
 * Needs root (mount namespaces, overlayfs, chroot), as CI and the development machines run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';

export interface Instruction {
  keyword: string;
  /** Leading --name=value flags (COPY --from, RUN --mount, HEALTHCHECK --interval …). */
  flags: Array<[string, string]>;
  /** The rest of the line after the flags. */
  rest: string;
  line: number;
}

export interface ParsedStage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile syntax: `\` continuations, `#` comment lines (also inside continuations), flags. */
export function parseDockerfile(text: string): { args: Map<string, string>; stages: ParsedStage[] } {
  const logical: Array<{ text: string; line: number }> = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const cont = trimmed.endsWith('\\');
    const piece = cont ? trimmed.slice(0, -1).trimEnd() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${piece}`, line: pending.line }
      : { text: piece, line: i + 1 };
    if (!cont) {
      logical.push(pending);
      pending = undefined;
    }
  });
  if (pending) logical.push(pending);

  const globalArgs = new Map<string, string>();
  const stages: ParsedStage[] = [];
  for (const { text: l, line } of logical) {
    // Split at the first blank by hand: /^(\S+)\s*(.*)$/ backtracks polynomially on long lines.
    const blank = l.search(/\s/);
    const keyword = (blank < 0 ? l : l.slice(0, blank)).toUpperCase();
    let rest = blank < 0 ? '' : l.slice(blank).trimStart();
    const flags: Array<[string, string]> = [];
    for (;;) {
      const f = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!f) break;
      flags.push([f[1], f[2] ?? '']);
      rest = rest.slice(f[0].length);
    }
    if (keyword === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!fm) throw new Error(`line ${line}: cannot read FROM ${rest}`);
      stages.push({ base: expand(fm[1], globalArgs), name: fm[2], instructions: [] });
      continue;
    }
    if (!stages.length) {
      if (keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`);
      const eq = rest.indexOf('=');
      globalArgs.set(eq < 0 ? rest : rest.slice(0, eq), eq < 0 ? '' : rest.slice(eq + 1));
      continue;
    }
    stages[stages.length - 1].instructions.push({ keyword, flags, rest, line });
  }
  return { args: globalArgs, stages };
}

/** $VAR, ${VAR}, ${VAR:-default}: what Docker expands in FROM, WORKDIR, COPY, ENV, USER. */
function expand(s: string, vars: Map<string, string> | Record<string, string>): string {
  const get = (k: string) => (vars instanceof Map ? vars.get(k) : vars[k]);
  return s.replace(
    /\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g,
    (_m, a: string, d: string | undefined, b: string) => {
      const v = get(a ?? b);
      return v === undefined || v === '' ? (d ?? '') : v;
    },
  );
}

/** Exec form (a JSON array) or shell form (through /bin/sh -c), as Docker reads RUN/CMD/ENTRYPOINT. */
function commandOf(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    const parsed: unknown = JSON.parse(t);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string'))
      throw new Error(`not a JSON array of strings: ${t}`);
    return parsed as string[];
  }
  return ['/bin/sh', '-c', t];
}

/** ENV a=b c="d e" or the legacy ENV a b. */
function parseEnv(rest: string, into: Record<string, string>) {
  if (!/^\w+=/.test(rest)) {
    const [k, ...v] = rest.split(/\s+/);
    into[k] = expand(v.join(' '), into);
    return;
  }
  for (const m of rest.matchAll(/(?<!\w)(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    let v = m[2];
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (v.startsWith("'")) v = v.slice(1, -1);
    into[m[1]] = expand(v, into);
  }
}

/** Copies a tree keeping symlinks as links and modes; `keep` filters paths relative to `root`. */
function copyTree(src: string, dest: string, keep: (rel: string) => boolean, rel = '') {
  const st = lstatSync(src);
  if (st.isSymbolicLink()) {
    rmSync(dest, { force: true });
    symlinkSync(readlinkSync(src), dest);
  } else if (st.isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const e of readdirSync(src)) {
      const r = rel ? `${rel}/${e}` : e;
      if (keep(r)) copyTree(path.join(src, e), path.join(dest, e), keep, r);
    }
  } else {
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(src, dest);
    chmodSync(dest, st.mode & 0o7777);
  }
}

/** Mounts the stage's overlay in a private mount namespace, then execs chroot with the arguments after $3. */
const MOUNT_AND_CHROOT = [
  'set -e',
  'mount -t overlay overlay -o "lowerdir=/,upperdir=$1,workdir=$2" "$3"',
  'mount --rbind /dev "$3/dev"',
  'mount -t proc proc "$3/proc"',
  'mount --rbind /sys "$3/sys"',
  'shift 3',
  'exec chroot "$@"',
].join('\n');

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Stage {
  index: number;
  name?: string;
  dir: string;
  upper: string;
  work: string;
  merged: string;
  env: Record<string, string>;
  workdir: string;
  user: string;
  cmd?: string[];
  entrypoint?: string[];
  healthcheck?: string[];
}

export interface Image {
  dockerfile: string;
  stage: Stage;
  /** The instructions as the Docker engine would record them in the image config. */
  config: {
    env: Record<string, string>;
    workdir: string;
    user: string;
    command: string[];
    healthcheck?: string[];
  };
}

export interface BuildOptions {
  context: string;
  /** Path of the Dockerfile, relative to the context. */
  dockerfile: string;
  scratch: string;
  /** Build-time environment added to every RUN (what the daemon or a download would provide). */
  buildEnv?: Record<string, string>;
  log?: (line: string) => void;
}

function passwdEntry(stage: Stage, user: string): { uid: number; gid: number; home: string } {
  const [name, group] = user.split(':');
  const file = (f: string) =>
    existsSync(path.join(stage.upper, f)) ? path.join(stage.upper, f) : path.join('/', f);
  const passwd = readFileSync(file('etc/passwd'), 'utf8').split('\n');
  const byName = passwd.map((l) => l.split(':')).find((p) => p[0] === name || p[2] === name);
  if (!byName) throw new Error(`USER ${user}: no such user in the image`);
  let gid = Number(byName[3]);
  if (group) {
    const groups = readFileSync(file('etc/group'), 'utf8').split('\n');
    const g = groups.map((l) => l.split(':')).find((p) => p[0] === group || p[2] === group);
    if (!g) throw new Error(`USER ${user}: no such group in the image`);
    gid = Number(g[2]);
  }
  return { uid: Number(byName[2]), gid, home: byName[5] };
}

/** `FROM node:*`: the official image's `node` user and group (uid/gid 1000, home /home/node). */
function emulateNodeBase(stage: Stage) {
  mkdirSync(path.join(stage.upper, 'etc'), { recursive: true });
  const add = (file: string, match: RegExp, line: string) => {
    const host = readFileSync(path.join('/', file), 'utf8');
    if (host.split('\n').some((l) => match.test(l))) return;
    writeFileSync(path.join(stage.upper, file), `${host.replace(/\n?$/, '\n')}${line}\n`);
  };
  add('etc/passwd', /^node:/, 'node:x:1000:1000::/home/node:/bin/bash');
  add('etc/group', /^node:/, 'node:x:1000:');
  mkdirSync(path.join(stage.upper, 'home/node'), { recursive: true });
  chownSync(path.join(stage.upper, 'home/node'), 1000, 1000);
}

/** `unshare` arguments that mount the stage's overlay in a private namespace and run argv inside it. */
function unshareArgs(
  stage: Stage,
  user: string,
  env: Record<string, string>,
  cwd: string,
  argv: string[],
): string[] {
  return [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    MOUNT_AND_CHROOT,
    'sh',
    stage.upper,
    stage.work,
    stage.merged,
    ...chrootArgs(stage, user, env, cwd, argv),
  ];
}

function chrootArgs(stage: Stage, user: string, env: Record<string, string>, cwd: string, argv: string[]) {
  const { uid, gid, home } = passwdEntry(stage, user);
  const full = { PATH: DEFAULT_PATH, HOME: home, HOSTNAME: 'replay', ...env };
  return [
    `--userspec=${uid}:${gid}`,
    stage.merged,
    '/usr/bin/env',
    '-i',
    '-C',
    cwd,
    ...Object.entries(full).map(([k, v]) => `${k}=${v}`),
    ...argv,
  ];
}

function inStage(stage: Stage, p: string) {
  return path.join(stage.upper, p);
}

/**
 * Replays every stage of the Dockerfile (as `docker compose build` builds every target it names);
 * returns the image of each named stage, and of the last one under "default".
 */
export function buildImages(o: BuildOptions): Record<string, Image> {
  const log = o.log ?? (() => undefined);
  const dockerfilePath = path.join(o.context, o.dockerfile);
  const { args: globalArgs, stages: parsed } = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
  const ignoreFile = path.join(o.context, '.dockerignore');
  const ig = dockerignore().add(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  const stages: Stage[] = [];

  for (const [index, p] of parsed.entries()) {
    if (!/^node:/.test(p.base))
      throw new Error(`stage ${index} FROM ${p.base}: the replay emulates node:* base images only`);
    const dir = path.join(o.scratch, `stage-${index}`);
    const stage: Stage = {
      index,
      name: p.name,
      dir,
      upper: path.join(dir, 'upper'),
      work: path.join(dir, 'work'),
      merged: path.join(dir, 'merged'),
      env: {},
      workdir: '/',
      user: 'root',
    };
    for (const d of [stage.upper, stage.work, stage.merged]) mkdirSync(d, { recursive: true });
    emulateNodeBase(stage);
    stages.push(stage);
    log(`stage ${index}${p.name ? ` (${p.name})` : ''}: FROM ${p.base}`);

    const args = new Map<string, string>();
    const vars = () => ({ ...Object.fromEntries(args), ...stage.env });
    for (const ins of p.instructions) {
      const where = `${o.dockerfile}:${ins.line} ${ins.keyword}`;
      const flag = (n: string) => ins.flags.find(([k]) => k === n)?.[1];
      switch (ins.keyword) {
        case 'ARG': {
          // A stage's ARG without a value takes the global one (Docker's rule for ARGs before FROM).
          const eq = ins.rest.indexOf('=');
          const k = eq < 0 ? ins.rest.trim() : ins.rest.slice(0, eq);
          args.set(k, eq < 0 ? (globalArgs.get(k) ?? '') : ins.rest.slice(eq + 1));
          break;
        }
        case 'ENV':
          parseEnv(ins.rest, stage.env);
          break;
        case 'WORKDIR': {
          const w = expand(ins.rest.trim(), vars());
          stage.workdir = path.posix.resolve(stage.workdir, w);
          mkdirSync(inStage(stage, stage.workdir), { recursive: true });
          break;
        }
        case 'USER':
          stage.user = expand(ins.rest.trim(), vars());
          passwdEntry(stage, stage.user);
          break;
        case 'COPY': {
          const parts = ins.rest.trim().startsWith('[')
            ? (JSON.parse(ins.rest) as string[])
            : ins.rest
                .trim()
                .split(/\s+/)
                .map((s) => expand(s, vars()));
          const dest = parts.pop()!;
          const destAbs = path.posix.resolve(stage.workdir, dest);
          const intoDir = dest.endsWith('/') || parts.length > 1;
          const from = flag('from');
          const chown = flag('chown');
          for (const src of parts) {
            if (/[*?[]/.test(src)) throw new Error(`${where}: wildcards are not replayed (${src})`);
            let source: string;
            let keep: (rel: string) => boolean = () => true;
            if (from !== undefined) {
              const other = stages.find((s) => s.name === from || String(s.index) === from);
              if (!other || other === stage) throw new Error(`${where}: no earlier stage ${from}`);
              source = existsSync(inStage(other, src)) ? inStage(other, src) : path.join('/', src);
            } else {
              const rel = path.posix.normalize(src).replace(/^\.\/?|\/$/g, '');
              if (rel.startsWith('..')) throw new Error(`${where}: ${src} is outside the context`);
              if (rel && ig.ignores(rel))
                throw new Error(`${where}: ${src} is excluded by .dockerignore (COPY failed: not found)`);
              source = path.join(o.context, rel);
              keep = (r) => !ig.ignores(rel ? `${rel}/${r}` : r);
            }
            if (!existsSync(source)) throw new Error(`${where}: ${src} not found (COPY failed)`);
            const isDir = statSync(source).isDirectory();
            const target = isDir || !intoDir ? destAbs : path.posix.join(destAbs, path.basename(src));
            copyTree(source, inStage(stage, target), keep);
            if (chown) {
              const [u, g] = chown.split(':');
              const { uid, gid } = passwdEntry(stage, g ? `${u}:${g}` : u);
              spawnSync('chown', ['-R', '--no-dereference', `${uid}:${gid}`, inStage(stage, target)]);
            }
          }
          break;
        }
        case 'RUN': {
          for (const [k, v] of ins.flags) {
            if (k !== 'mount' || !/(^|,)type=cache(,|$)/.test(v))
              throw new Error(`${where}: flag --${k}=${v} is not replayed`);
          }
          const argv = commandOf(ins.rest);
          const t0 = Date.now();
          const r = spawnSync(
            'unshare',
            unshareArgs(stage, stage.user, { ...o.buildEnv, ...stage.env }, stage.workdir, argv),
            { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
          );
          if (r.status !== 0)
            throw new Error(
              `${where} failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).split('\n').slice(-40).join('\n')}`,
            );
          log(`  ${where} ${ins.rest.slice(0, 120)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
          break;
        }
        case 'CMD':
          stage.cmd = commandOf(ins.rest);
          break;
        case 'ENTRYPOINT':
          stage.entrypoint = commandOf(ins.rest);
          break;
        case 'HEALTHCHECK': {
          const m = /^CMD\s(.*)$/i.exec(ins.rest.trim());
          stage.healthcheck = m ? commandOf(m[1].trim()) : undefined;
          break;
        }
        case 'EXPOSE':
        case 'LABEL':
        case 'STOPSIGNAL':
          break;
        default:
          throw new Error(`${where}: instruction not replayed`);
      }
    }
  }

  const imageOf = (stage: Stage): Image => {
    const command = stage.entrypoint
      ? stage.entrypoint[0] === '/bin/sh' && stage.entrypoint[1] === '-c'
        ? stage.entrypoint
        : [...stage.entrypoint, ...(stage.cmd ?? [])]
      : (stage.cmd ?? []);
    return {
      dockerfile: o.dockerfile,
      stage,
      config: {
        env: stage.env,
        workdir: stage.workdir,
        user: stage.user,
        command,
        healthcheck: stage.healthcheck,
      },
    };
  };
  const images: Record<string, Image> = { default: imageOf(stages[stages.length - 1]) };
  for (const s of stages) if (s.name) images[s.name] = imageOf(s);
  return images;
}

export interface Container {
  process: ChildProcess;
  output: () => string;
  /** Runs the image's HEALTHCHECK inside the running container; resolves with its exit code. */
  healthcheck: () => Promise<number>;
  /** Runs a command inside the running container as its user. */
  exec: (argv: string[]) => Promise<{ code: number; output: string }>;
  stop: () => Promise<void>;
}

/** Starts the image's command as `docker run -e …` would (host network). */
export function startContainer(image: Image, runEnv: Record<string, string>): Container {
  const { stage, config } = image;
  if (!config.command.length)
    throw new Error(`${image.dockerfile}: the image has neither CMD nor ENTRYPOINT`);
  const env = { ...config.env, ...runEnv };
  const child = spawn('unshare', unshareArgs(stage, config.user, env, config.workdir, config.command), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const exec = (argv: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      const { uid, gid, home } = passwdEntry(stage, config.user);
      const full = { PATH: DEFAULT_PATH, HOME: home, HOSTNAME: 'replay', ...env };
      // The container's mount namespace and root (the chroot), as `docker exec` enters it.
      const p = spawn(
        'nsenter',
        [
          `--target=${child.pid}`,
          '--mount',
          '--root',
          '--wd',
          `--setuid=${uid}`,
          `--setgid=${gid}`,
          '/usr/bin/env',
          '-i',
          ...Object.entries(full).map(([k, v]) => `${k}=${v}`),
          ...argv,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let o = '';
      p.stdout.on('data', (b: Buffer) => (o += b.toString()));
      p.stderr.on('data', (b: Buffer) => (o += b.toString()));
      p.once('exit', (code) => resolve({ code: code ?? 1, output: o }));
    });

  return {
    process: child,
    output: () => out,
    healthcheck: async () => {
      if (!config.healthcheck) throw new Error(`${image.dockerfile} has no HEALTHCHECK`);
      return (await exec(config.healthcheck)).code;
    },
    exec,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
