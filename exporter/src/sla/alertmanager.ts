/**
 * The Alertmanager 0.25 escalation tree, receivers and notification templates, from `sla.alerting`.
 *
 * warning   → Perfwatch webhook only (dashboard, incidents)
 * critical  → email + Slack + Perfwatch webhook
 * emergency → email (+ on-call addresses) + Slack + on-call webhook + Perfwatch webhook, short timers
 * Inhibition: emergency mutes critical and warning, critical mutes warning, for the same route, SLA and
 * SLI, so one problem is one stream of notifications at its highest level.
 *
 * Secrets are never written here: the SMTP password, the Slack URL and bearer tokens are files that
 * Alertmanager reads (`*_file`, `credentials_file`), written as absolute paths under alerting.secretsDir.
 */
import { posix } from 'node:path';
import type { SlaConfig } from './config';
import type { Severity } from './config-values';

export const RECEIVERS = {
  perfwatch: 'perfwatch',
  critical: 'critical',
  emergency: 'emergency',
  watchdog: 'watchdog',
} as const;

export const GROUP_BY = ['alertname', 'route', 'sla'];
export const WEBHOOK_PATH = '/api/v1/alertmanager/webhook';
export const TEMPLATE_FILE = 'templates/perfwatch.tmpl';

type Obj = Record<string, unknown>;

function webhook(url: string, credentialsFile: string | undefined): Obj {
  return {
    url,
    send_resolved: true,
    ...(credentialsFile
      ? { http_config: { authorization: { type: 'Bearer', credentials_file: credentialsFile } } }
      : {}),
  };
}

function timers(config: SlaConfig, severity: Severity): Obj {
  const a = config.alerting;
  return {
    group_wait: a.groupWait[severity],
    group_interval: a.groupInterval[severity],
    repeat_interval: a.repeatInterval[severity],
  };
}

export function alertmanagerConfig(config: SlaConfig): Obj {
  const a = config.alerting;
  const secret = (file: string) => posix.resolve(a.secretsDir, file);
  const perfwatch = webhook(
    `${a.perfwatch.url.replace(/(?<!\/)\/+$/, '')}${WEBHOOK_PATH}`,
    secret(a.perfwatch.credentialsFile),
  );

  const global: Obj = { resolve_timeout: '5m' };
  if (a.email) {
    global.smtp_smarthost = a.email.smarthost;
    global.smtp_from = a.email.from;
    if (a.email.hello) global.smtp_hello = a.email.hello;
    global.smtp_require_tls = a.email.requireTls;
    if (a.email.authUsername) {
      global.smtp_auth_username = a.email.authUsername;
      global.smtp_auth_password_file = secret(a.email.authPasswordFile!);
    }
  }

  const email = (to: string[]): Obj => ({
    to: to.join(', '),
    send_resolved: true,
    headers: { Subject: '{{ template "perfwatch.title" . }}' },
    html: '{{ template "perfwatch.email.html" . }}',
    text: '{{ template "perfwatch.email.text" . }}',
  });
  const slack = (channel: string, urlFile: string): Obj => ({
    api_url_file: secret(urlFile),
    channel,
    send_resolved: true,
    title: '{{ template "perfwatch.title" . }}',
    title_link: '{{ template "perfwatch.slack.link" . }}',
    text: '{{ template "perfwatch.slack.text" . }}',
    color: '{{ template "perfwatch.slack.color" . }}',
    fallback: '{{ template "perfwatch.title" . }}',
  });

  const critical: Obj = { name: RECEIVERS.critical };
  const emergency: Obj = { name: RECEIVERS.emergency };
  if (a.email) {
    critical.email_configs = [email(a.email.to)];
    emergency.email_configs = [email([...a.email.to, ...a.email.emergencyTo])];
  }
  if (a.slack) {
    critical.slack_configs = [slack(a.slack.channel, a.slack.apiUrlFile)];
    emergency.slack_configs = [
      a.slack.emergencyChannel
        ? slack(a.slack.emergencyChannel, a.slack.emergencyApiUrlFile!)
        : slack(a.slack.channel, a.slack.apiUrlFile),
    ];
  }
  critical.webhook_configs = [perfwatch];
  emergency.webhook_configs = [
    ...(a.oncall
      ? [webhook(a.oncall.url, a.oncall.credentialsFile && secret(a.oncall.credentialsFile))]
      : []),
    perfwatch,
  ];
  // Perfwatch is a dead man's switch itself: it opens an incident when Watchdog stops arriving
  // (exporter/src/incidents/watchdog.ts). An external one (alerting.watchdog) is added beside it.
  const watchdog: Obj = {
    name: RECEIVERS.watchdog,
    webhook_configs: [
      ...(a.watchdog
        ? [webhook(a.watchdog.url, a.watchdog.credentialsFile && secret(a.watchdog.credentialsFile))]
        : []),
      perfwatch,
    ],
  };

  const slaSource = 'sla=~".+"';
  return {
    global,
    templates: [TEMPLATE_FILE],
    route: {
      receiver: RECEIVERS.perfwatch,
      group_by: GROUP_BY,
      ...timers(config, 'warning'),
      routes: [
        {
          matchers: ['alertname="Watchdog"'],
          receiver: RECEIVERS.watchdog,
          group_wait: '0s',
          group_interval: '1m',
          repeat_interval: a.watchdog?.repeatInterval ?? '5m',
        },
        { matchers: ['severity="emergency"'], receiver: RECEIVERS.emergency, ...timers(config, 'emergency') },
        { matchers: ['severity="critical"'], receiver: RECEIVERS.critical, ...timers(config, 'critical') },
        { matchers: ['severity="warning"'], receiver: RECEIVERS.perfwatch, ...timers(config, 'warning') },
      ],
    },
    // `sli` in equal: a latency emergency must not mute an error-rate critical of the same endpoint,
    // which is a different problem with its own incident.
    inhibit_rules: [
      {
        source_matchers: ['severity="emergency"', slaSource],
        target_matchers: ['severity=~"critical|warning"'],
        equal: ['route', 'sla', 'sli'],
      },
      {
        source_matchers: ['severity="critical"', slaSource],
        target_matchers: ['severity="warning"'],
        equal: ['route', 'sla', 'sli'],
      },
      // An SLA's own TargetDown (at its paging severity, with sla/route) replaces the generic one.
      {
        source_matchers: ['alertname="TargetDown"', slaSource],
        target_matchers: ['alertname="TargetDown"', 'sla=""'],
        equal: ['job', 'instance'],
      },
    ],
    receivers: [{ name: RECEIVERS.perfwatch, webhook_configs: [perfwatch] }, critical, emergency, watchdog],
  };
}

/**
 * Email (HTML + text) and Slack templates: endpoint, current vs target, since when (and for how long
 * once resolved), impact, dashboard and runbook links. The values come from the alert annotations the
 * rule generator writes (summary, description, impact, current, target, dashboard_url, runbook_url).
 */
export function templates(config: SlaConfig): string {
  const u = config.alerting.externalUrls;
  // Links people open, from alerting.externalUrls (not .ExternalURL, which is whatever Alertmanager
  // was started with, often its listen address).
  const am = u.alertmanager.replace(/(?<!\/)\/+$/, '');
  const alerts = `${u.prometheus.replace(/(?<!\/)\/+$/, '')}/alerts`;
  return TEMPLATES.replace(/\{\{ \.ExternalURL \}\}/g, am).replace(/__PROMETHEUS_ALERTS__/g, alerts);
}

const TEMPLATES = `{{/* Generated by perfwatch rules generate. Do not edit; change the generator. */}}

{{ define "perfwatch.endpoint" }}{{ with .Labels.route }}{{ with $.Labels.method }}{{ . }} {{ end }}{{ . }}{{ else }}{{ with .Labels.instance }}{{ . }}{{ else }}{{ .Labels.job }}{{ end }}{{ end }}{{ end }}

{{ define "perfwatch.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.severity | toUpper }} {{ .CommonLabels.alertname }}{{ with .CommonLabels.route }} {{ with $.CommonLabels.method }}{{ . }} {{ end }}{{ . }}{{ end }}{{ end }}

{{ define "perfwatch.when" }}since {{ .StartsAt.UTC.Format "2006-01-02 15:04:05 MST" }}{{ if eq .Status "resolved" }}, resolved {{ .EndsAt.UTC.Format "15:04:05 MST" }} after {{ (.EndsAt.Sub .StartsAt).Round 1000000000 }}{{ end }}{{ end }}

{{ define "perfwatch.email.text" }}{{ template "perfwatch.title" . }}
{{ range .Alerts }}
{{ .Status | toUpper }} {{ .Labels.severity }}: {{ .Annotations.summary }}
  Endpoint:  {{ template "perfwatch.endpoint" . }}{{ with .Labels.sla }} (SLA {{ . }}){{ end }}{{ with .Labels.priority }}, priority {{ . }}{{ end }}
{{- with .Annotations.current }}
  Current:   {{ . }}{{ end }}
{{- with .Annotations.target }}
  Target:    {{ . }}{{ end }}
  When:      {{ template "perfwatch.when" . }}
{{- with .Annotations.impact }}
  Impact:    {{ . }}{{ end }}
  Details:   {{ .Annotations.description }}
{{- with .Annotations.dashboard_url }}
  Dashboard: {{ . }}{{ end }}
{{- with .Annotations.runbook_url }}
  Runbook:   {{ . }}{{ end }}
{{ end }}
Alertmanager: {{ .ExternalURL }}
Prometheus:   __PROMETHEUS_ALERTS__
{{ end }}

{{ define "perfwatch.email.html" }}<!doctype html>
<html><body style="font-family: sans-serif; font-size: 14px; color: #222">
<h2 style="color: {{ if eq .Status "resolved" }}#2e7d32{{ else if eq .CommonLabels.severity "emergency" }}#b71c1c{{ else }}#e65100{{ end }}">{{ template "perfwatch.title" . }}</h2>
{{ range .Alerts }}
<table style="border-collapse: collapse; margin-bottom: 16px" cellpadding="4">
<tr><th colspan="2" align="left">{{ .Status | toUpper }} {{ .Labels.severity }}: {{ .Annotations.summary }}</th></tr>
<tr><td><b>Endpoint</b></td><td>{{ template "perfwatch.endpoint" . }}{{ with .Labels.sla }} (SLA {{ . }}){{ end }}</td></tr>
{{ with .Annotations.current }}<tr><td><b>Current</b></td><td>{{ . }}</td></tr>{{ end }}
{{ with .Annotations.target }}<tr><td><b>Target</b></td><td>{{ . }}</td></tr>{{ end }}
<tr><td><b>When</b></td><td>{{ template "perfwatch.when" . }}</td></tr>
{{ with .Annotations.impact }}<tr><td><b>Impact</b></td><td>{{ . }}</td></tr>{{ end }}
<tr><td><b>Details</b></td><td>{{ .Annotations.description }}</td></tr>
<tr><td><b>Links</b></td><td>{{ with .Annotations.dashboard_url }}<a href="{{ . }}">Dashboard</a>{{ end }}{{ with .Annotations.runbook_url }} · <a href="{{ . }}">Runbook</a>{{ end }}</td></tr>
</table>
{{ end }}
<p style="color: #777">Sent by Alertmanager ({{ .ExternalURL }}) for Perfwatch. <a href="__PROMETHEUS_ALERTS__">Alerts in Prometheus</a></p>
</body></html>
{{ end }}

{{ define "perfwatch.slack.color" }}{{ if eq .Status "resolved" }}good{{ else if eq .CommonLabels.severity "warning" }}warning{{ else }}danger{{ end }}{{ end }}

{{ define "perfwatch.slack.link" }}{{ with (index .Alerts 0).Annotations.dashboard_url }}{{ . }}{{ else }}__PROMETHEUS_ALERTS__{{ end }}{{ end }}

{{ define "perfwatch.slack.text" }}{{ range .Alerts }}*{{ .Status | toUpper }} {{ .Labels.severity }}:* {{ .Annotations.summary }}
• Endpoint: \`{{ template "perfwatch.endpoint" . }}\`{{ with .Labels.sla }} (SLA {{ . }}){{ end }}
{{- with .Annotations.current }}
• Current: {{ . }}{{ end }}{{ with .Annotations.target }} · Target: {{ . }}{{ end }}
• When: {{ template "perfwatch.when" . }}
{{- with .Annotations.impact }}
• Impact: {{ . }}{{ end }}
{{ with .Annotations.dashboard_url }}<{{ . }}|Dashboard>{{ end }}{{ with .Annotations.runbook_url }} · <{{ . }}|Runbook>{{ end }}
{{ end }}{{ end }}
`;
