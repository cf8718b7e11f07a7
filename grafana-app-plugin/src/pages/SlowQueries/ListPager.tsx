import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Pagination, RadioButtonGroup, Text, useStyles2 } from '@grafana/ui';
import type { UrlPatch } from '../../hooks/useUrlQuery';
import { formatCount } from '../../utils/format';
import { PAGE_SIZES } from './useSlowQueries';

interface Props {
  total: number;
  page: number;
  perPage: number;
  onPage: (patch: UrlPatch) => void;
}

/** Rows shown, pages and rows per page under a server-paged table; both go to the URL. */
export function ListPager({ total, page, perPage, onPage }: Props) {
  const styles = useStyles2(getStyles);
  const numberOfPages = Math.max(1, Math.ceil(total / perPage));
  return (
    <div className={styles.pager}>
      <Text color="secondary" variant="bodySmall">
        {(page - 1) * perPage + 1}–{Math.min(page * perPage, total)} of {formatCount(total)}
      </Text>
      <Pagination
        currentPage={page}
        numberOfPages={numberOfPages}
        onNavigate={(p) => onPage({ page: p === 1 ? null : String(p) })}
        hideWhenSinglePage
      />
      <RadioButtonGroup
        size="sm"
        aria-label="Rows per page"
        options={PAGE_SIZES.map((n) => ({ label: String(n), value: n }))}
        value={perPage}
        onChange={(n) => onPage({ perPage: n === 25 ? null : String(n), page: null })}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  pager: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginTop: theme.spacing(1),
  }),
});
