/**
 * Points the generated Alertmanager config (provisioning/alertmanager/alertmanager.yml, made from the
 * SLA config) at the native stack's stand-ins: SMTP → the local catcher, Slack → the local sink,
 * on-call webhooks → the local sink, the Perfwatch webhook → the local exporter with its token. Only
 * addresses and secrets change; routes, grouping, inhibition and templates stay as generated, so the
 * stack exercises the real escalation tree.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

type Obj = Record<string, unknown>;

export interface LocalTargets {
  smtp: string; // host:port
  slackUrl: string;
  oncallUrl: string;
  exporterUrl: string;
  /** Token of scope "alertmanager" for the exporter's webhook receiver. */
  exporterToken: string;
  /** Where secret files (Slack URL, token) are written. */
  secretsDir: string;
  /** Directory of the generated file: relative template paths are made absolute against it. */
  sourceDir: string;
  /** Shorter grouping waits for tests (group_wait/group_interval in every route). */
  groupWait?: string;
  groupInterval?: string;
}

/** Path of the Perfwatch webhook receiver on the exporter. */
export const WEBHOOK_PATH = '/api/v1/alertmanager/webhook';

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function localAlertmanagerConfig(generated: string, t: LocalTargets): string {
  const config = parse(generated) as Obj;
  const secret = (name: string, value: string) => {
    const file = path.join(t.secretsDir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  const slackFile = secret('slack-url', t.slackUrl);
  const tokenFile = secret('exporter-token', t.exporterToken);

  const global = (isObj(config.global) ? config.global : {}) as Obj;
  global.smtp_smarthost = t.smtp;
  global.smtp_require_tls = false;
  for (const k of [
    'smtp_auth_password_file',
    'smtp_auth_password',
    'smtp_auth_username',
    'smtp_auth_identity',
  ])
    delete global[k];
  global.smtp_from ??= 'perfwatch@localhost';
  delete global.slack_api_url;
  global.slack_api_url_file = slackFile;
  config.global = global;

  for (const r of (config.receivers as Obj[] | undefined) ?? []) {
    for (const e of (r.email_configs as Obj[] | undefined) ?? []) {
      for (const k of ['smarthost', 'auth_username', 'auth_password', 'auth_password_file', 'auth_identity'])
        delete e[k];
      e.require_tls = false;
    }
    for (const s of (r.slack_configs as Obj[] | undefined) ?? []) {
      delete s.api_url;
      s.api_url_file = slackFile;
    }
    for (const w of (r.webhook_configs as Obj[] | undefined) ?? []) {
      const url = String(w.url ?? w.url_file ?? '');
      delete w.url_file;
      if (url.includes(WEBHOOK_PATH) || String(r.name).toLowerCase().includes('perfwatch')) {
        w.url = `${t.exporterUrl}${WEBHOOK_PATH}`;
        w.http_config = { authorization: { type: 'Bearer', credentials_file: tokenFile } };
      } else {
        w.url = t.oncallUrl;
        delete w.http_config;
      }
    }
  }

  if (t.groupWait || t.groupInterval) {
    const walk = (route: Obj) => {
      if (t.groupWait && route.group_wait !== undefined) route.group_wait = t.groupWait;
      if (t.groupInterval && route.group_interval !== undefined) route.group_interval = t.groupInterval;
      for (const child of (route.routes as Obj[] | undefined) ?? []) walk(child);
    };
    if (isObj(config.route)) {
      const root = config.route;
      if (t.groupWait) root.group_wait = t.groupWait;
      if (t.groupInterval) root.group_interval = t.groupInterval;
      walk(root);
    }
  }
  // Template globs are relative to the generated file's directory; this file is written elsewhere.
  if (Array.isArray(config.templates))
    config.templates = config.templates.map((p: unknown) => path.resolve(t.sourceDir, String(p)));
  return stringify(config, { lineWidth: 0 });
}
