import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A free loopback port: bind 0, read it, release it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `url` until it answers 2xx, the process dies, or the deadline passes. */
export async function waitForHttp(
  url: string,
  o: { timeoutMs?: number; proc?: ManagedProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    if (o.proc && o.proc.exited)
      throw new Error(`${o.proc.name} exited (${o.proc.exitDescription()}); see ${o.proc.logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${o.timeoutMs ?? 30_000} ms: ${String(last)}`);
}

/** Finds an executable on PATH (or /usr/bin, /usr/sbin for root-less shells). */
export function which(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Children still running: killed if this process exits without stopping them (a crash, an uncaught error). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** A child process whose output goes to a log file and which stops with SIGTERM, then SIGKILL. */
export class ManagedProcess {
  readonly child: ChildProcess;
  private readonly log: WriteStream;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitedPromise: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    // Its own process group, so Ctrl-C in the terminal reaches the stack, which stops children in order.
    this.child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    running.add(this.child);
    this.exitedPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this.child);
        this.exitInfo = { code, signal };
        resolve();
      });
      this.child.once('error', (err) => {
        running.delete(this.child);
        this.log.write(`spawn error: ${err.message}\n`);
        this.exitInfo = { code: -1, signal: null };
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  exitDescription(): string {
    if (!this.exitInfo) return 'running';
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
  }

  /** Sends a signal to this process only (never to a group or by name). */
  signal(sig: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exitedPromise;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }

  waitForExit(): Promise<void> {
    return this.exitedPromise;
  }
}
