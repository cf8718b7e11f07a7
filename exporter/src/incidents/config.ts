import { z } from 'zod';
import { SEVERITIES } from './model';

/**
 * How an Alertmanager severity label maps to an incident severity. The escalation ladder Perfwatch
 * generates uses warning < critical < emergency; an incident's top level ("critical") is reserved
 * for emergency, so Alertmanager's `critical` is an incident's `high`.
 */
export const DEFAULT_SEVERITY_MAP: Record<string, (typeof SEVERITIES)[number]> = {
  info: 'low',
  low: 'low',
  warning: 'medium',
  medium: 'medium',
  high: 'high',
  critical: 'high',
  emergency: 'critical',
};

const severity = z.enum(SEVERITIES);

export const incidentsConfigSchema = z
  .object({
    /**
     * What one incident collects: every alert of one Alertmanager notification group (`groupKey`),
     * each alert on its own (`alert`, by fingerprint), or alerts sharing the values of `groupLabels`
     * (`labels`: lets a critical → emergency escalation routed to another receiver update the same
     * incident, since Alertmanager's groupKey differs per route).
     */
    groupBy: z.enum(['groupKey', 'alert', 'labels']).default('groupKey'),
    groupLabels: z.array(z.string().min(1)).min(1).default(['alertname', 'service', 'route', 'sla']),
    /** A group that fires again within this many minutes of its incident resolving reopens it. */
    reopenWindowMinutes: z.number().min(0).default(30),
    /** When every alert of an incident resolved: resolve it, or only mark its alerts resolved. */
    onAlertsResolved: z.enum(['resolve', 'mark']).default('resolve'),
    /** The alert label holding the severity. */
    severityLabel: z.string().min(1).default('severity'),
    /** Extra or overriding label value → severity pairs, merged over the defaults. */
    severityMap: z.record(z.string(), severity).default({}),
    /** Severity of an alert whose severity label is missing or unknown. */
    defaultSeverity: severity.default('medium'),
    /** Alerts kept per incident; further alerts are counted in perfwatch_dropped_total. */
    maxAlertsPerIncident: z.number().int().positive().max(10_000).default(500),
    /** Resolved incidents older than this are deleted with their alerts and timeline. */
    retentionDays: z.number().positive().default(90),
    /**
     * Dead man's switch: Alertmanager sends the always-firing Watchdog alert to Perfwatch's webhook
     * (every 5 m by default); when none has arrived for this long after a first one, Perfwatch opens
     * a critical incident itself (alerting is broken, so no alert can say so) and resolves it when
     * Watchdog is back. 0 turns the check off.
     */
    watchdogTimeoutMinutes: z.number().min(0).max(1_440).default(15),
    /** Request header carrying the acting user's name (Grafana's plugin proxy sends X-Grafana-User). */
    userHeader: z.string().min(1).default('x-grafana-user'),
    diagnostics: z
      .object({
        enabled: z.boolean().default(true),
        /** Snapshot on opening only incidents at least this severe (escalation to critical always snapshots). */
        onOpenMinSeverity: severity.default('low'),
        /** Whole snapshot deadline; a part that misses it is noted as timed out. */
        timeoutMs: z.number().int().positive().max(30_000).default(3_000),
        /** Largest snapshot stored on the timeline (JSON bytes); larger ones are trimmed. */
        maxBytes: z.number().int().min(2_048).max(1_048_576).default(16_384),
        slowQueryWindowMinutes: z.number().positive().default(15),
        topSlowQueries: z.number().int().positive().max(50).default(5),
        /** Snapshots waiting to run; past it new ones are dropped and counted. */
        queueSize: z.number().int().positive().max(1_000).default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type IncidentsConfig = z.infer<typeof incidentsConfigSchema>;

/** Alertmanager's API, used to create and expire silences for an incident's alerts. */
export const alertmanagerConfigSchema = z
  .object({
    /** e.g. http://alertmanager:9093 (PERFWATCH_ALERTMANAGER_URL). Absent: silencing answers 422. */
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://alertmanager:9093' })
      .optional(),
    timeoutMs: z.number().int().positive().max(60_000).default(5_000),
  })
  .strict();

export type AlertmanagerConfig = z.infer<typeof alertmanagerConfigSchema>;
