/** The alerting: part of the sla: section: receivers, webhooks and Alertmanager timers per severity. */
import { z } from 'zod';
import { durationSchema, type Severity } from './config-values';

/** Alertmanager timers per severity: emergencies notify fast and repeat every 15 minutes. */
export const DEFAULT_TIMERS = {
  groupWait: { warning: '30s', critical: '30s', emergency: '10s' },
  groupInterval: { warning: '5m', critical: '5m', emergency: '1m' },
  repeatInterval: { warning: '1h', critical: '1h', emergency: '15m' },
} as const satisfies Record<string, Record<Severity, string>>;

const timersSchema = (defaults: Record<Severity, string>) =>
  z
    .object({
      warning: durationSchema.default(defaults.warning),
      critical: durationSchema.default(defaults.critical),
      emergency: durationSchema.default(defaults.emergency),
    })
    .strict()
    .prefault({});

/** A webhook that authenticates with a bearer token read from a file by Alertmanager. */
const webhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    /** File holding the bearer token, read by Alertmanager; relative paths are under alerting.secretsDir. */
    credentialsFile: z.string().min(1).optional(),
  })
  .strict();

export const alertingSchema = z
  .object({
    /**
     * Where Alertmanager finds the secret files named below when their paths are relative. Absolute on
     * purpose: Alertmanager 0.25 reads api_url_file and auth_password_file relative to its working
     * directory, not to alertmanager.yml.
     */
    secretsDir: z.string().startsWith('/', 'an absolute directory').default('/etc/alertmanager/secrets'),
    /** The Perfwatch service Alertmanager posts every alert to (incidents, dashboard). */
    perfwatch: z
      .object({
        url: z.url({ protocol: /^https?$/ }).default('http://localhost:9470'),
        /** File with a token of scope `alertmanager` (the same value as PERFWATCH_TOKEN_ALERTMANAGER). */
        credentialsFile: z.string().min(1).default('perfwatch-alertmanager-token'),
      })
      .strict()
      .prefault({}),
    /** Email for critical and emergency alerts; omitted → no email receiver. */
    email: z
      .object({
        smarthost: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        /** Extra recipients for emergencies (on-call), added to `to`. */
        emergencyTo: z.array(z.string().min(3)).default([]),
        authUsername: z.string().min(1).optional(),
        /** File with the SMTP password, read by Alertmanager. */
        authPasswordFile: z.string().min(1).optional(),
        requireTls: z.boolean().default(true),
        hello: z.string().min(1).optional(),
      })
      .strict()
      .refine((e) => !e.authUsername || e.authPasswordFile, {
        message: 'authUsername needs authPasswordFile (the password never goes into the generated file)',
      })
      .optional(),
    /**
     * Slack incoming webhooks, one per channel: a Slack-app webhook posts to the channel it was created
     * for and ignores `channel`, so emergencies need their own URL to land in their own channel.
     */
    slack: z
      .object({
        channel: z.string().min(1),
        /** File holding the channel's incoming-webhook URL (it is a secret). */
        apiUrlFile: z.string().min(1).default('slack-webhook-url'),
        emergencyChannel: z.string().min(1).optional(),
        /** File holding the emergency channel's webhook URL; required with emergencyChannel. */
        emergencyApiUrlFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((s) => !s.emergencyChannel || s.emergencyApiUrlFile, {
        message:
          'emergencyChannel needs emergencyApiUrlFile: a Slack webhook posts only to the channel it was made for',
      })
      .refine((s) => !s.emergencyApiUrlFile || s.emergencyApiUrlFile !== s.apiUrlFile, {
        message: 'emergencyApiUrlFile must differ from apiUrlFile (one webhook URL per channel)',
      })
      .optional(),
    /** On-call paging webhook for emergencies. Alertmanager 0.25 has no url_file: keep secrets in the token. */
    oncall: webhookSchema.optional(),
    /** Dead man's switch for the always-firing Watchdog alert; omitted → it is routed nowhere. */
    watchdog: webhookSchema
      .extend({ repeatInterval: durationSchema.default('5m') })
      .strict()
      .optional(),
    /**
     * Where people reach each tool: every link in an alert or notification is built from these. Give
     * Prometheus and Alertmanager the same values as --web.external-url.
     */
    externalUrls: z
      .object({
        grafana: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
        alertmanager: z.url({ protocol: /^https?$/ }).default('http://localhost:9093'),
        prometheus: z.url({ protocol: /^https?$/ }).default('http://localhost:9090'),
        /** Runbooks page; alerts link to `<runbookBase>#<alert name in lower case>`. Omitted → no runbook link. */
        runbookBase: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .prefault({}),
    links: z
      .object({
        /** Dashboard path (after grafanaUrl) of the HTTP dashboard, filtered by var-route. */
        httpDashboard: z.string().startsWith('/').default('/d/perfwatch-http/perfwatch-http'),
        /** Dashboard path of the system dashboard, for resource alerts. */
        systemDashboard: z.string().startsWith('/').default('/d/perfwatch-system/perfwatch-system'),
      })
      .strict()
      .prefault({}),
    /** Alertmanager timers per severity; repeatInterval is the cooldown between repeats of one problem. */
    groupWait: timersSchema(DEFAULT_TIMERS.groupWait),
    groupInterval: timersSchema(DEFAULT_TIMERS.groupInterval),
    repeatInterval: timersSchema(DEFAULT_TIMERS.repeatInterval),
  })
  .strict();
