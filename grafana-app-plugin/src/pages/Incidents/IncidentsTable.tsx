import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Checkbox,
  IconButton,
  InteractiveTable,
  Stack,
  Pagination,
  Text,
  TextLink,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { Incident } from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/common/Badges';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatDuration, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { alertSummary } from './incidentText';

interface Selection {
  selected: Set<number>;
  toggle: (id: number) => void;
  setAll: (ids: number[]) => void;
}

/** Acknowledge or resolve one incident from its row, without opening it. */
export interface RowActions {
  canWrite: boolean;
  busy: boolean;
  onAcknowledge: (i: Incident) => void;
  onResolve: (i: Incident) => void;
}

function QuickActions({ i, actions }: { i: Incident; actions: RowActions }) {
  if (i.status === 'resolved') {
    return null;
  }
  const disabled = !actions.canWrite || actions.busy;
  // IconButton names itself after its tooltip, so the tooltip carries the incident's title.
  const why = actions.canWrite ? '' : ' (needs the Editor role)';
  return (
    <Stack gap={0.5}>
      {!i.acknowledgedBy && (
        <IconButton
          name="check"
          aria-label={`Acknowledge ${i.title}`}
          tooltip={`Acknowledge ${i.title}${why}`}
          disabled={disabled}
          onClick={() => actions.onAcknowledge(i)}
        />
      )}
      <IconButton
        name="check-circle"
        aria-label={`Resolve ${i.title}`}
        tooltip={`Resolve ${i.title}${why}`}
        disabled={disabled}
        onClick={() => actions.onResolve(i)}
      />
    </Stack>
  );
}

interface Props {
  items: Incident[];
  selection: Selection;
  rowActions: RowActions;
  page: number;
  numberOfPages: number;
  onPage: (page: number) => void;
}

function TitleCell({ i }: { i: Incident }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.titleCell}>
      <TextLink href={prefixHref(`${ROUTES.Incidents}/${i.id}`)} inline={false} color="primary">
        {i.title}
      </TextLink>
      {i.acknowledgedBy ? (
        <Text variant="bodySmall" color="secondary">
          Acknowledged by {i.acknowledgedBy}
        </Text>
      ) : i.status !== 'resolved' ? (
        <Text variant="bodySmall" color="warning">
          Not acknowledged
        </Text>
      ) : null}
    </div>
  );
}

/** Incidents with a checkbox each for the bulk actions. */
export function IncidentsTable({ items, selection, rowActions, page, numberOfPages, onPage }: Props) {
  const styles = useStyles2(getStyles);
  const { selected, toggle, setAll } = selection;
  const columns = useMemo<Array<Column<Incident>>>(
    () => [
      {
        id: 'select',
        header: () =>
          items.length > 0 ? (
            <Checkbox
              aria-label="Select all on this page"
              value={items.every((i) => selected.has(i.id))}
              onChange={(e) => setAll(e.currentTarget.checked ? items.map((i) => i.id) : [])}
            />
          ) : null,
        disableGrow: true,
        cell: ({ row: { original: i } }: CellProps<Incident>) => (
          <Checkbox
            aria-label={`Select incident ${i.title}`}
            value={selected.has(i.id)}
            onChange={() => toggle(i.id)}
          />
        ),
      },
      { id: 'status', header: 'Status', cell: ({ value }) => <StatusBadge status={value} /> },
      { id: 'severity', header: 'Severity', cell: ({ value }) => <SeverityBadge severity={value} /> },
      {
        id: 'title',
        header: 'Title',
        cell: ({ row: { original: i } }: CellProps<Incident>) => <TitleCell i={i} />,
      },
      { id: 'startedAt', header: 'Started', cell: ({ value }) => formatTime(value) },
      {
        id: 'duration',
        header: 'Duration',
        cell: ({ row: { original: i } }: CellProps<Incident>) => formatDuration(i.durationSeconds),
      },
      { id: 'assignee', header: 'Assignee', cell: ({ value }) => value || <Text color="secondary">–</Text> },
      {
        id: 'alerts',
        header: 'Alerts',
        cell: ({ row: { original: i } }: CellProps<Incident>) => alertSummary(i),
      },
      {
        id: 'actions',
        header: '',
        disableGrow: true,
        cell: ({ row: { original: i } }: CellProps<Incident>) => <QuickActions i={i} actions={rowActions} />,
      },
    ],
    [items, selected, toggle, setAll, rowActions],
  );
  return (
    <div data-testid={testIds.incidents.table}>
      <InteractiveTable<Incident> columns={columns} data={items} getRowId={(i: Incident) => String(i.id)} />
      <Pagination
        className={styles.pager}
        currentPage={page}
        numberOfPages={numberOfPages}
        onNavigate={onPage}
        hideWhenSinglePage
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  titleCell: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.25) }),
  pager: css({ marginTop: theme.spacing(1) }),
});
