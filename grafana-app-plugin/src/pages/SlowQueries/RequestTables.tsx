import React from 'react';
import { Badge, InteractiveTable, Stack, TextLink, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { RequestFingerprint, RequestSample } from '../../api/types';
import { CodeLine } from '../../components/common/CodeBlock';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatMs, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';

type Window = { from: string; to: string };

function FingerprintLink({ id, window }: { id: string; window: Window }) {
  return (
    <TextLink href={prefixHref(`${ROUTES.SlowQueries}/${id}`, window)} inline={false}>
      {id}
    </TextLink>
  );
}

/** The request's fingerprints, most queries first: an N+1 loop is the row with the big count. */
export function RequestFingerprints({ rows, window }: { rows: RequestFingerprint[]; window: Window }) {
  const columns: Array<Column<RequestFingerprint>> = [
    {
      id: 'fingerprintId',
      header: 'Fingerprint',
      cell: ({ row: { original: f } }: CellProps<RequestFingerprint>) => (
        <FingerprintLink id={f.fingerprintId} window={window} />
      ),
    },
    {
      id: 'count',
      header: 'Queries',
      cell: ({ row: { original: f } }: CellProps<RequestFingerprint>) => (
        <Stack gap={0.5} alignItems="center">
          <span>{f.count}</span>
          {f.nPlusOne && <Badge color="orange" text="N+1" />}
        </Stack>
      ),
    },
    { id: 'totalMs', header: 'Total', cell: ({ value }) => formatMs(value) },
    { id: 'fingerprint', header: 'Statement', cell: ({ value }) => <CodeLine code={value} maxWidth={640} /> },
  ];
  return (
    <div data-testid={testIds.slowQueries.requestFingerprints}>
      <InteractiveTable columns={columns} data={rows} getRowId={(f: RequestFingerprint) => f.fingerprintId} />
    </div>
  );
}

/** Every stored query of the request in the order it ran, with its offset from the first. */
export function RequestQueries({ rows, window }: { rows: RequestSample[]; window: Window }) {
  const start = rows.length > 0 ? Date.parse(rows[0].capturedAt) : 0;
  const columns: Array<Column<RequestSample>> = [
    {
      id: 'capturedAt',
      header: 'Captured',
      cell: ({ row: { index, original: s } }: CellProps<RequestSample>) => (
        <span title={formatTime(s.capturedAt)}>
          {index === 0 ? formatTime(s.capturedAt) : `+${formatMs(Date.parse(s.capturedAt) - start)}`}
        </span>
      ),
    },
    { id: 'durationMs', header: 'Duration', cell: ({ value }) => formatMs(value) },
    {
      id: 'route',
      header: 'Route or job',
      cell: ({ row: { original: s } }: CellProps<RequestSample>) => (
        <Stack gap={0.5} alignItems="center">
          <span>{s.route}</span>
          {s.nPlusOne && <Badge color="orange" text="N+1" />}
          {s.error && <Badge color="red" text="error" />}
        </Stack>
      ),
    },
    {
      id: 'fingerprintId',
      header: 'Fingerprint',
      cell: ({ value }) => <FingerprintLink id={value} window={window} />,
    },
    {
      id: 'sample',
      header: 'Statement (redacted)',
      cell: ({ value }) => <CodeLine code={value} maxWidth={520} />,
    },
  ];
  return (
    <div data-testid={testIds.slowQueries.requestQueries}>
      <InteractiveTable
        columns={columns}
        data={rows}
        // Two queries of a loop can agree on every field; their place in the request tells them apart.
        getRowId={(s: RequestSample, i: number) => `${i}-${s.fingerprintId}`}
      />
    </div>
  );
}
