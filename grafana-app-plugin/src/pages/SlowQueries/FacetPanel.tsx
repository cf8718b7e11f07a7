import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Checkbox, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';
import type { SlowQueryFacet, SlowQueryFacets, SlowQueryFilter } from '../../api/types';
import { testIds } from '../../components/testIds';
import { formatCount } from '../../utils/format';

const TITLES: Record<SlowQueryFacet['name'], string> = {
  database: 'Database',
  route: 'Route or job',
  operation: 'Operation',
  service: 'Service',
};

interface Props {
  facets?: SlowQueryFacets;
  loading: boolean;
  error?: Error;
  filter: SlowQueryFilter;
  onChange: (patch: Record<string, string | undefined>) => void;
}

/**
 * PMM QAN's filter panel: each facet's values in the range with their slow-query counts and time.
 * Ticking a value sets the list's filter (the URL's, like the filter inputs); ticking it again clears it.
 */
export function FacetPanel({ facets, loading, error, filter, onChange }: Props) {
  const styles = useStyles2(getStyles);
  let body: React.ReactNode;
  if (error) {
    body = (
      <Alert severity="error" title="Could not load the facets">
        {error.message}
      </Alert>
    );
  } else if (!facets) {
    body = loading ? <LoadingPlaceholder text="Loading facets…" /> : null;
  } else if (facets.facets.every((f) => f.values.length === 0)) {
    body = <Text color="secondary">Nothing to filter by in this range</Text>;
  } else {
    body = facets.facets.map((facet) => (
      <section key={facet.name} aria-label={TITLES[facet.name]} className={styles.facet}>
        <Text variant="h6" element="h3">
          {TITLES[facet.name]}
        </Text>
        {facet.values.map((v) => {
          const selected = (filter[facet.name] ?? '').toLowerCase() === v.value.toLowerCase();
          return (
            <div key={v.value} className={styles.value}>
              <Checkbox
                label={v.value}
                value={selected}
                title={`${formatCount(v.count)} slow queries, ${v.totalSeconds.toFixed(1)} s`}
                onChange={() => onChange({ [facet.name]: selected ? undefined : v.value })}
              />
              <Text variant="bodySmall" color="secondary">
                {formatCount(v.count)} · {v.totalSeconds.toFixed(1)} s
              </Text>
            </div>
          );
        })}
        {facet.truncated && (
          <Text variant="bodySmall" color="secondary" italic>
            Top {facet.values.length} by time; narrow the range or filters for the rest
          </Text>
        )}
      </section>
    ));
  }
  return (
    <aside className={styles.panel} data-testid={testIds.slowQueries.facets} aria-label="Filters">
      <Stack direction="column" gap={2}>
        {body}
      </Stack>
    </aside>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    width: 260,
    flexShrink: 0,
    padding: theme.spacing(1.5),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.primary,
    alignSelf: 'flex-start',
  }),
  facet: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  value: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: theme.spacing(1),
    // Long routes wrap inside the panel instead of widening it.
    label: { overflowWrap: 'anywhere' },
  }),
});
