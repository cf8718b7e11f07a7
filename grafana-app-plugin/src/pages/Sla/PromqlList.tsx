import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { CodeBlock } from '../../components/common/CodeBlock';

const NUMBER_LABELS: Record<string, string> = {
  p50: 'p50 latency',
  p95: 'p95 latency',
  p99: 'p99 latency',
  latencyCompliance: 'Latency compliance',
  errorRate: 'Error rate',
  availability: 'Availability',
  budgetRemaining: 'Budget remaining',
  budgetRemainingMinutes: 'Budget remaining (minutes)',
  requests: 'Requests',
};

/** The PromQL behind each number of the report, to check one by hand. */
export function PromqlList({ promql }: { promql: Record<string, string> }) {
  const styles = useStyles2(getStyles);
  return (
    <section>
      <Text element="h3">How each number is computed</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        The exporter evaluates these PromQL expressions over the period; paste one into Explore to check a
        number.
      </Text>
      <div className={styles.list}>
        {Object.entries(promql).map(([key, expr]) => (
          <div key={key} className={styles.row}>
            <Stack justifyContent="space-between" alignItems="center">
              <strong>{NUMBER_LABELS[key] ?? key}</strong>
              <ClipboardButton size="sm" variant="secondary" fill="text" icon="copy" getText={() => expr}>
                Copy
              </ClipboardButton>
            </Stack>
            <CodeBlock code={expr} />
          </div>
        ))}
      </div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ display: 'grid', gap: theme.spacing(1) }),
  row: css({
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
