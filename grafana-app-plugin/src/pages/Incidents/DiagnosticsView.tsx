import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { ROUTES } from '../../constants';
import { formatCount, formatMs, formatPercent } from '../../utils/format';
import { prefixHref } from '../../utils/routing';

type Part<T> = ({ status: 'ok' } & T) | { status: 'unavailable' | 'error' | 'timeout'; message: string };

/** The exporter's auto-diagnostics snapshot (exporter/src/incidents/diagnostics.ts). */
interface Snapshot {
  takenAt?: string;
  reason?: string;
  route?: string | null;
  slowQueries?: Part<{
    windowMinutes: number;
    items: Array<{
      fingerprintId: string;
      fingerprint: string;
      count: number;
      p95Seconds: number;
      maxSeconds: number;
    }>;
  }>;
  http?: Part<{
    route: string;
    requests: number;
    errors: number;
    errorRate: number | null;
    p95Seconds: number | null;
  }>;
  dbPools?: Part<{
    pools: Array<{
      dbSystem: string;
      pool: string;
      used: number;
      idle: number;
      pending: number;
      max: number | null;
    }>;
  }>;
  process?: Part<{
    cpuPercent: number;
    rssBytes: number;
    heapUsedBytes: number;
    eventLoopLagP99Seconds: number | null;
    loadAverage: number[];
    systemMemoryTotalBytes: number;
    systemMemoryFreeBytes: number;
  }>;
  prometheus?: Part<{ queries: Array<{ name: string; query: string; series?: unknown[]; error?: string }> }>;
  truncated?: boolean;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

function PartBlock<T>({
  title,
  part,
  children,
}: {
  title: string;
  part: Part<T> | undefined;
  children: (p: T) => React.ReactNode;
}) {
  const styles = useStyles2(getStyles);
  if (!part) {
    return null;
  }
  return (
    <div className={styles.part}>
      <Text variant="bodySmall" weight="medium">
        {title}
      </Text>
      {part.status === 'ok' ? (
        children(part as T)
      ) : (
        <Text color="secondary">{`${part.status}: ${part.message}`}</Text>
      )}
    </div>
  );
}

/** A snapshot in a few readable lines per part; an unknown shape shows as JSON. */
export function DiagnosticsView({ snapshot }: { snapshot: Record<string, unknown> }) {
  const styles = useStyles2(getStyles);
  const s = snapshot as Snapshot;
  if (!s.slowQueries && !s.http && !s.process && !s.dbPools) {
    return <pre className={styles.json}>{JSON.stringify(snapshot, null, 2)}</pre>;
  }
  return (
    <div className={styles.grid}>
      <PartBlock title="Top slow queries" part={s.slowQueries}>
        {(p) =>
          p.items.length === 0 ? (
            <Text color="secondary">none in the last {p.windowMinutes} min</Text>
          ) : (
            <Stack direction="column" gap={0.5}>
              {p.items.slice(0, 5).map((q) => (
                <div key={q.fingerprintId} className={styles.line}>
                  <TextLink href={prefixHref(`${ROUTES.SlowQueries}/${q.fingerprintId}`)} inline={false}>
                    {q.fingerprint}
                  </TextLink>{' '}
                  <Text color="secondary" variant="bodySmall">
                    ×{formatCount(q.count)}, p95 {formatMs(q.p95Seconds * 1000)}
                  </Text>
                </div>
              ))}
            </Stack>
          )
        }
      </PartBlock>
      <PartBlock title="Route" part={s.http}>
        {(p) => (
          <Text>
            {p.route}: {formatCount(p.requests)} requests, {formatPercent(p.errorRate, 2)} errors, p95{' '}
            {p.p95Seconds === null ? '–' : formatMs(p.p95Seconds * 1000)}
          </Text>
        )}
      </PartBlock>
      <PartBlock title="Database pools" part={s.dbPools}>
        {(p) =>
          p.pools.length === 0 ? (
            <Text color="secondary">no pools reported</Text>
          ) : (
            <Stack direction="column" gap={0}>
              {p.pools.map((pool) => (
                <Text key={`${pool.dbSystem}/${pool.pool}`}>
                  {pool.dbSystem}/{pool.pool}: {pool.used} used, {pool.idle} idle, {pool.pending} waiting
                  {pool.max ? ` of ${pool.max}` : ''}
                </Text>
              ))}
            </Stack>
          )
        }
      </PartBlock>
      <PartBlock title="Process" part={s.process}>
        {(p) => (
          <Text>
            CPU {p.cpuPercent.toFixed(0)} %, RSS {mb(p.rssBytes)}, heap {mb(p.heapUsedBytes)}, event-loop lag
            p99 {p.eventLoopLagP99Seconds === null ? '–' : formatMs(p.eventLoopLagP99Seconds * 1000)}, load{' '}
            {p.loadAverage.map((l) => l.toFixed(2)).join(' ')}, memory free {mb(p.systemMemoryFreeBytes)} of{' '}
            {mb(p.systemMemoryTotalBytes)}
          </Text>
        )}
      </PartBlock>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'grid', gap: theme.spacing(1) }),
  part: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.25) }),
  line: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  json: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    maxHeight: 320,
    overflow: 'auto',
    margin: 0,
  }),
});
