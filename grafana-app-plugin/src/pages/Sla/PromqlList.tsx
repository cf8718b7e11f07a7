import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ClipboardButton, LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { CodeBlock } from '../../components/common/CodeBlock';
import { exploreHref } from '../../utils/explore';
import { useSettings } from '../../utils/settings';

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
export function PromqlList({
  promql,
  range,
}: {
  promql: Record<string, string>;
  range: { from: string; to: string };
}) {
  const styles = useStyles2(getStyles);
  const { prometheusDatasourceUid: uid } = useSettings();
  return (
    <section>
      <Text element="h3">How each number is computed</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        The exporter evaluates these PromQL expressions over the period; open one in Explore to check a
        number.
      </Text>
      <div className={styles.list}>
        {Object.entries(promql).map(([key, expr]) => (
          <div key={key} className={styles.row}>
            <Stack justifyContent="space-between" alignItems="center">
              <strong>{NUMBER_LABELS[key] ?? key}</strong>
              <Stack gap={0.5}>
                {uid && (
                  <LinkButton
                    size="sm"
                    variant="secondary"
                    fill="text"
                    icon="compass"
                    href={exploreHref(uid, expr, range)}
                    aria-label={`Explore ${NUMBER_LABELS[key] ?? key}`}
                  >
                    Explore
                  </LinkButton>
                )}
                <ClipboardButton size="sm" variant="secondary" fill="text" icon="copy" getText={() => expr}>
                  Copy
                </ClipboardButton>
              </Stack>
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
