#!/usr/bin/env node
/**
 * The native stack's notification catcher as a process of its own: docker-compose.yml runs it as the
 * `notify-catcher` service, so the Slack and on-call posts of critical and emergency alerts can be
 * read without a Slack workspace or a paging service. It takes webhooks on POST /slack and
 * POST /oncall (and mail over SMTP, though compose sends mail to Mailpit) and lists them at GET /
 * and GET /api/messages.
 *
 * Environment: CATCHER_HOST (0.0.0.0), CATCHER_HTTP_PORT (8026), CATCHER_SMTP_PORT (2525).
 */
import { z } from 'zod';
import { Sinks } from './sinks';

const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback).describe('a TCP port, 0 for any free one');

const Env = z.object({
  CATCHER_HOST: z.string().min(1).default('0.0.0.0'),
  CATCHER_HTTP_PORT: port(8026),
  CATCHER_SMTP_PORT: port(2525),
});

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    process.exit(2);
  }
  const env = parsed.data;
  const sinks = new Sinks({
    host: env.CATCHER_HOST,
    httpPort: env.CATCHER_HTTP_PORT,
    smtpPort: env.CATCHER_SMTP_PORT,
  });
  await sinks.start();
  console.log(JSON.stringify({ msg: 'catcher listening', http: sinks.httpPort, smtp: sinks.smtpPort }));
  const stop = (signal: string) => {
    console.log(JSON.stringify({ msg: 'catcher stopping', signal }));
    sinks.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
