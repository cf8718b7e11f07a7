import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { localAlertmanagerConfig } from '../src/alertmanager-config';
import { findBinaries } from '../src/binaries';

/** The shapes the generator may use for secrets and receivers (Alertmanager 0.25's own schema). */
const GENERATED = `
global:
  smtp_smarthost: mailpit:1025
  smtp_from: perfwatch@example.com
  smtp_auth_username: perfwatch
  smtp_auth_password_file: /etc/alertmanager/secrets/smtp_password
  slack_api_url_file: /etc/alertmanager/secrets/slack_url
templates:
  - templates/*.tmpl
route:
  receiver: perfwatch
  group_by: [alertname, route]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: [severity="emergency"]
      receiver: emergency
      group_wait: 10s
      repeat_interval: 15m
inhibit_rules:
  - source_matchers: [severity="emergency"]
    target_matchers: [severity=~"critical|warning"]
    equal: [route]
receivers:
  - name: perfwatch
    webhook_configs:
      - url: http://perfwatch:9470/api/v1/alertmanager/webhook
        http_config:
          authorization: { type: Bearer, credentials_file: /etc/alertmanager/secrets/perfwatch_token }
  - name: emergency
    email_configs: [{ to: oncall@example.com, send_resolved: true }]
    slack_configs: [{ channel: '#incidents', api_url: 'https://hooks.slack.com/services/X' }]
    webhook_configs:
      - url: https://oncall.example.com/hook
      - url: http://perfwatch:9470/api/v1/alertmanager/webhook
`;

describe('pointing the generated Alertmanager config at the native stack', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-amcfg-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const local = () =>
    localAlertmanagerConfig(GENERATED, {
      smtp: '127.0.0.1:2525',
      slackUrl: 'http://127.0.0.1:8025/slack',
      oncallUrl: 'http://127.0.0.1:8025/oncall',
      exporterUrl: 'http://127.0.0.1:9470',
      exporterToken: 'alertmanager-token-0123456789',
      secretsDir: dir,
      sourceDir: '/repo/provisioning/alertmanager',
      groupWait: '1s',
      groupInterval: '2s',
    });

  test('addresses and secrets change; routes, inhibition and repeat intervals stay as generated', () => {
    const c = parse(local());
    const g = parse(GENERATED);
    expect(c.global.smtp_smarthost).toBe('127.0.0.1:2525');
    expect(c.global.smtp_auth_password_file).toBeUndefined();
    expect(readFileSync(c.global.slack_api_url_file, 'utf8')).toBe('http://127.0.0.1:8025/slack');
    expect(c.inhibit_rules).toEqual(g.inhibit_rules);
    expect(c.route.routes[0].matchers).toEqual(g.route.routes[0].matchers);
    expect(c.route.repeat_interval).toBe('1h');
    expect(c.route.routes[0].repeat_interval).toBe('15m');
    expect([c.route.group_wait, c.route.group_interval, c.route.routes[0].group_wait]).toEqual([
      '1s',
      '2s',
      '1s',
    ]);
    expect(c.templates).toEqual(['/repo/provisioning/alertmanager/templates/*.tmpl']);
  });

  test('the Perfwatch webhook goes to the local exporter with its token; other webhooks to the on-call sink', () => {
    const c = parse(local());
    const hooks = c.receivers.flatMap((r: { webhook_configs?: unknown[] }) => r.webhook_configs ?? []);
    const perfwatch = hooks.filter(
      (h: { url: string }) => h.url === 'http://127.0.0.1:9470/api/v1/alertmanager/webhook',
    );
    expect(perfwatch).toHaveLength(2);
    for (const h of perfwatch)
      expect(readFileSync(h.http_config.authorization.credentials_file, 'utf8')).toBe(
        'alertmanager-token-0123456789',
      );
    expect(hooks.filter((h: { url: string }) => h.url === 'http://127.0.0.1:8025/oncall')).toHaveLength(1);
    const slack = c.receivers.find((r: { name: string }) => r.name === 'emergency').slack_configs[0];
    expect(slack.api_url).toBeUndefined();
  });

  test('amtool accepts the result', () => {
    const file = path.join(dir, 'alertmanager.yml');
    writeFileSync(
      file,
      local().replace('/repo/provisioning/alertmanager/templates/*.tmpl', path.join(dir, '*.tmpl')),
    );
    const { amtool } = findBinaries(['amtool']);
    expect(execFileSync(amtool, ['check-config', file], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});
