import { createHash } from 'node:crypto';

/** Builders for Alertmanager's version-4 webhook payload, shaped like what 0.25 sends. */

export interface AlertInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  endsAt?: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function fingerprintOf(labels: Record<string, string>): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest('hex')
    .slice(0, 16);
}

export function amAlert(a: AlertInput) {
  const status = a.status ?? 'firing';
  return {
    status,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt ?? '2026-01-01T10:00:00.123456789Z',
    endsAt: a.endsAt ?? (status === 'resolved' ? '2026-01-01T10:30:00Z' : ZERO_TIME),
    generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(a.labels.alertname ?? 'x')}`,
    fingerprint: fingerprintOf(a.labels),
  };
}

export function amPayload(groupKey: string, alerts: AlertInput[], extra: Record<string, unknown> = {}) {
  const built = alerts.map(amAlert);
  const common = Object.fromEntries(
    Object.entries(built[0].labels).filter(([k, v]) => built.every((a) => a.labels[k] === v)),
  );
  return {
    receiver: 'perfwatch',
    status: built.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: built,
    groupLabels: { alertname: common.alertname ?? '' },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    ...extra,
  };
}
