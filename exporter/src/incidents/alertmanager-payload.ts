import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_SEVERITY_MAP, type IncidentsConfig } from './config';
import type { Labels, Severity } from './model';

/** Longest annotation value kept; longer ones are cut and the cut counted. */
export const MAX_ANNOTATION_CHARS = 8_192;
const MAX_LABELS = 128;

const time = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 time');

const labelSet = z
  .record(z.string().min(1).max(256), z.string().max(4_096))
  .refine((o) => Object.keys(o).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);
const annotationSet = z
  .record(z.string().min(1).max(256), z.string().max(65_536))
  .refine((o) => Object.keys(o).length <= MAX_LABELS, `at most ${MAX_LABELS} annotations`);

const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: annotationSet.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().max(8_192).optional(),
  /** Present since Alertmanager 0.19; derived from the labels when absent. */
  fingerprint: z.string().min(1).max(64).optional(),
});

/**
 * Alertmanager's webhook payload, version "4" (notify/webhook in 0.25 and every release since).
 * Unknown fields (0.33's notification_reason, …) are accepted and ignored: a receiver must not break
 * when Alertmanager adds one.
 */
export const webhookPayloadSchema = z.looseObject({
  version: z.string().max(16),
  groupKey: z.string().min(1).max(16_384),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1_024).default(''),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: annotationSet.default({}),
  externalURL: z.string().max(8_192).default(''),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export interface IncomingAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  /** Null for Go's zero time, which Alertmanager sends for "no end known". */
  endsAt: number | null;
  generatorUrl: string | null;
  runbookUrl: string | null;
}

/** The alerts of one notification that belong to the same incident. */
export interface IncomingGroup {
  /** sha256 of the grouping mode and key: fixed length, so it can be a primary key. */
  keyHash: string;
  /** Alertmanager's groupKey (kept for display whatever the grouping mode). */
  groupKey: string;
  title: string;
  description: string | null;
  labels: Labels;
  runbookUrl: string | null;
  generatorUrl: string | null;
  receiver: string;
  externalUrl: string | null;
  alerts: IncomingAlert[];
}

export interface MappedNotification {
  groups: IncomingGroup[];
  /** Annotation values cut to MAX_ANNOTATION_CHARS. */
  truncatedValues: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Go's zero time.Time (year 1) and anything before the epoch means "not set". */
function epochOrNull(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = Date.parse(s);
  return t <= 0 ? null : t;
}

/** Alertmanager's own fingerprint when sent; else a stable hash of the sorted label set. */
export function labelsFingerprint(labels: Labels): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return sha256(canonical).slice(0, 16);
}

export function severityOf(labels: Labels, config: IncidentsConfig): Severity {
  const raw = labels[config.severityLabel];
  if (raw === undefined) return config.defaultSeverity;
  const v = raw.trim().toLowerCase();
  return config.severityMap[v] ?? DEFAULT_SEVERITY_MAP[v] ?? config.defaultSeverity;
}

/**
 * A link the UI may render: http(s) only. Anything else (`javascript:`, `data:`) would run or load in
 * the operator's browser from a label an alert rule, or whoever can post to the webhook, chose.
 */
export function httpUrlOrNull(s: string | undefined | null): string | null {
  if (!s) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? s : null;
}

const runbookOf = (a: Labels): string | null =>
  httpUrlOrNull(a.runbook_url ?? a.runbookUrl ?? a.runbook ?? null);

function describe(labels: Labels, shown: string[]): string {
  const name = labels.alertname ?? 'alert';
  const rest = shown.filter((k) => k !== 'alertname' && labels[k]).map((k) => `${k}=${labels[k]}`);
  return rest.length ? `${name} (${rest.join(', ')})` : name;
}

/** Labels every alert of the list shares. */
function common(alerts: IncomingAlert[]): Labels {
  const [first, ...others] = alerts;
  const out: Labels = {};
  for (const [k, v] of Object.entries(first.labels)) if (others.every((a) => a.labels[k] === v)) out[k] = v;
  return out;
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Splits a validated notification into per-incident groups according to `incidents.groupBy`. */
export function mapNotification(p: WebhookPayload, config: IncidentsConfig): MappedNotification {
  let truncatedValues = 0;
  const trimAnnotations = (a: Labels): Labels => {
    const out: Labels = {};
    for (const [k, v] of Object.entries(a)) {
      if (v.length > MAX_ANNOTATION_CHARS) truncatedValues++;
      out[k] = clip(v, MAX_ANNOTATION_CHARS);
    }
    return out;
  };
  const commonAnnotations = trimAnnotations(p.commonAnnotations);
  const alerts: IncomingAlert[] = p.alerts.map((a) => {
    const annotations = trimAnnotations(a.annotations);
    return {
      fingerprint: a.fingerprint ?? labelsFingerprint(a.labels),
      status: a.status,
      severity: severityOf(a.labels, config),
      labels: a.labels,
      annotations,
      startsAt: Date.parse(a.startsAt),
      endsAt: epochOrNull(a.endsAt),
      generatorUrl: httpUrlOrNull(a.generatorURL),
      runbookUrl: runbookOf(annotations),
    };
  });

  // One alert per fingerprint: Alertmanager never repeats one in a notification, but a sender that did
  // must not make the store refuse the whole notification (and Alertmanager retry it forever).
  // The last occurrence wins, as a later notification would.
  const unique = [...new Map(alerts.map((a) => [a.fingerprint, a])).values()];
  const buckets = new Map<string, { key: string; alerts: IncomingAlert[] }>();
  for (const a of unique) {
    const key =
      config.groupBy === 'groupKey'
        ? p.groupKey
        : config.groupBy === 'alert'
          ? a.fingerprint
          : JSON.stringify(config.groupLabels.map((l) => [l, a.labels[l] ?? '']));
    const hash = sha256(`${config.groupBy}\u0000${key}`);
    const b = buckets.get(hash) ?? { key, alerts: [] };
    b.alerts.push(a);
    buckets.set(hash, b);
  }

  const groups: IncomingGroup[] = [...buckets.entries()].map(([keyHash, b]) => {
    const first = [...b.alerts].sort((x, y) => x.startsAt - y.startsAt)[0];
    const byGroupKey = config.groupBy === 'groupKey';
    const labels = byGroupKey ? p.commonLabels : config.groupBy === 'alert' ? first.labels : common(b.alerts);
    const annotations = byGroupKey ? commonAnnotations : b.alerts.length === 1 ? first.annotations : {};
    const shown =
      config.groupBy === 'labels'
        ? config.groupLabels
        : byGroupKey
          ? Object.keys(p.groupLabels)
          : ['service', 'route'];
    const summary = annotations.summary ?? annotations.title;
    return {
      keyHash,
      groupKey: p.groupKey,
      title: clip(summary || describe({ ...labels, ...(byGroupKey ? p.groupLabels : {}) }, shown), 500),
      description: annotations.description ?? annotations.message ?? null,
      labels,
      runbookUrl: runbookOf(annotations) ?? first.runbookUrl,
      generatorUrl: first.generatorUrl,
      receiver: p.receiver,
      externalUrl: httpUrlOrNull(p.externalURL),
      alerts: b.alerts,
    };
  });
  return { groups, truncatedValues };
}
