import React from 'react';
import { useAsyncFn } from 'react-use';
import { Button, Stack, Text } from '@grafana/ui';
import { api } from '../../api/client';
import { downloadBlob } from '../../utils/csv';

/**
 * Downloads the report as the PDF the exporter prints. Fetched through Grafana's proxy (which adds
 * the exporter token) and saved from a blob: a plain link to the proxy URL would be taken over by
 * Grafana's link interception and opened as an app page.
 */
export function PdfDownload({ period }: { period: string }) {
  const [state, download] = useAsyncFn(async () => {
    downloadBlob(`sla-report-${period}.pdf`, await api.slaReportPdf(period));
  }, [period]);
  return (
    <Stack gap={1} alignItems="center">
      <Button variant="secondary" icon="file-alt" disabled={state.loading} onClick={download}>
        {state.loading ? 'Printing PDF…' : 'Download PDF'}
      </Button>
      {state.error && (
        <Text color="error" variant="bodySmall" data-testid="data-testid sla-pdf-error">
          {`PDF failed: ${state.error.message}`}
        </Text>
      )}
    </Stack>
  );
}
