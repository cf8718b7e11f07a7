/**
 * Stand-ins for the outside world on one machine: an SMTP server that keeps what Alertmanager mails
 * (smtp-server + mailparser), and HTTP endpoints that take Slack's and an on-call tool's webhooks.
 * Everything received is listed at GET / (HTML) and GET /api/messages (JSON). Bounded: the newest
 * MAX_KEPT of each kind are kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const MAX_KEPT = 500;
const MAX_BODY = 1024 * 1024;
const WEBHOOK_PATHS = new Set(['/slack', '/oncall', '/webhook']);

export interface CapturedMail {
  receivedAt: number;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface CapturedWebhook {
  receivedAt: number;
  /** slack, oncall or webhook (the path it arrived on) */
  kind: string;
  body: unknown;
}

export interface SinksOptions {
  host?: string;
  smtpPort?: number;
  httpPort?: number;
}

function keep<T>(list: T[], item: T) {
  list.push(item);
  if (list.length > MAX_KEPT) list.splice(0, list.length - MAX_KEPT);
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

export class Sinks {
  readonly mails: CapturedMail[] = [];
  readonly webhooks: CapturedWebhook[] = [];
  smtpPort = 0;
  httpPort = 0;
  private smtp: SMTPServer | undefined;
  private http: Server | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: SinksOptions = {}) {}

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get url(): string {
    return `http://${this.host}:${this.httpPort}`;
  }

  slack(): CapturedWebhook[] {
    return this.webhooks.filter((w) => w.kind === 'slack');
  }

  async start(): Promise<void> {
    this.smtp = new SMTPServer({
      // Alertmanager may authenticate (PLAIN is allowed over loopback without TLS); any login is fine here.
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: MAX_BODY * 10,
      onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'anonymous' }),
      onData: (stream, session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            keep(this.mails, {
              receivedAt: Date.now(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            this.notify();
            cb();
          })
          .catch((err: Error) => cb(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.smtp!.once('error', reject);
      this.smtp!.listen(this.options.smtpPort ?? 0, this.host, () => resolve());
    });
    this.smtpPort = (this.smtp.server.address() as AddressInfo).port;

    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.options.httpPort ?? 0, this.host, () => resolve());
    });
    this.httpPort = (this.http.address() as AddressInfo).port;
  }

  private notify() {
    for (const l of this.listeners) l();
  }

  /** Resolves with the first value `probe` returns that is not undefined, re-checked on every arrival. */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v === undefined) return;
        done();
        resolve(v);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'POST' && WEBHOOK_PATHS.has(url.pathname)) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) {
          res.writeHead(413).end('too large');
          return;
        }
        chunks.push(c as Buffer);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('invalid JSON');
        return;
      }
      keep(this.webhooks, { receivedAt: Date.now(), kind: url.pathname.slice(1), body });
      this.notify();
      // Slack answers a plain "ok".
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/messages') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ mails: this.mails, webhooks: this.webhooks }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      const mails = [...this.mails]
        .reverse()
        .map(
          (m) =>
            `<details><summary>${new Date(m.receivedAt).toISOString()} — ${escapeHtml(m.subject)} → ${escapeHtml(m.to.join(', '))}</summary><pre>${escapeHtml(m.text)}</pre></details>`,
        )
        .join('\n');
      const hooks = [...this.webhooks]
        .reverse()
        .map(
          (w) =>
            `<details><summary>${new Date(w.receivedAt).toISOString()} — ${w.kind}</summary><pre>${escapeHtml(JSON.stringify(w.body, null, 2))}</pre></details>`,
        )
        .join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>Perfwatch stack: notifications</title>` +
          `<h1>Email (${this.mails.length})</h1>${mails || '<p>none yet</p>'}<h1>Slack and on-call webhooks (${this.webhooks.length})</h1>${hooks || '<p>none yet</p>'}`,
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  }

  async stop(): Promise<void> {
    await Promise.all([
      new Promise<void>((resolve) => (this.smtp ? this.smtp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => {
        if (!this.http) return resolve();
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      }),
    ]);
  }
}
