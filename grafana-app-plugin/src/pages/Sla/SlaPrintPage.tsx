import React from 'react';
import { css } from '@emotion/css';
import { createTheme, PageLayoutType, type GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Button, LinkButton, Stack, Text, ThemeContext, useStyles2 } from '@grafana/ui';
import { QueryState } from '../../components/common/QueryState';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatTime } from '../../utils/format';
import { periodTitle } from '../../utils/period';
import { prefixHref } from '../../utils/routing';
import { PeriodIncidents } from './PeriodIncidents';
import { usePeriod, useSlaReport } from './useSlaReport';
import { SlaTable } from './SlaTable';

/*
 * Printing hides everything but the report (Grafana's navigation included), so "Save as PDF" in
 * the browser gives a clean monthly report. Browsers drop background colours when printing, so the
 * report is always drawn with the light theme (dark text on white), whatever the user's theme: in
 * the dark theme it would print light-grey text on white paper.
 */
const PAPER = createTheme({ colors: { mode: 'light' } });
const PRINT_CSS = `
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body * { visibility: hidden !important; }
  .perfwatch-print-root, .perfwatch-print-root * { visibility: visible !important; }
  .perfwatch-print-root { position: absolute; left: 0; top: 0; width: 100%; }
  .perfwatch-no-print { display: none !important; }
}
`;

export default function SlaPrintPage() {
  const styles = useStyles2(getStyles);
  const [period] = usePeriod();
  const state = useSlaReport(period);
  const report = state.value;
  const summary = report ? report.summary : undefined;

  return (
    <PluginPage layout={PageLayoutType.Canvas}>
      <style>{PRINT_CSS}</style>
      <div className={`perfwatch-no-print ${styles.toolbar}`}>
        <LinkButton variant="secondary" icon="arrow-left" href={prefixHref(ROUTES.Sla, { period })}>
          Back to the report
        </LinkButton>
        <Button icon="document-info" onClick={() => window.print()} disabled={!report}>
          Print or save as PDF
        </Button>
      </div>
      <QueryState
        loading={state.loading && !report}
        error={state.error}
        empty={false}
        emptyMessage=""
        errorTitle="Could not load the SLA report"
        loadingText="Computing the SLA report…"
        onRetry={state.retry}
      >
        {report && summary && (
          <ThemeContext.Provider value={PAPER}>
            <article className={`perfwatch-print-root ${styles.sheet}`} data-testid={testIds.sla.print}>
              <header className={styles.header}>
                <Text element="h1">Service level report · {periodTitle(period)}</Text>
                <Text color="secondary">
                  {formatTime(report.period.start)} to {formatTime(report.period.end)} · generated{' '}
                  {formatTime(report.generatedAt)}
                </Text>
              </header>
              <Stack gap={3}>
                <Text>
                  <strong>{report.endpoints.length}</strong> endpoints
                </Text>
                <Text color="success">
                  <strong>{summary.meeting}</strong> meeting their SLA
                </Text>
                <Text color="warning">
                  <strong>{summary.atRisk}</strong> at risk
                </Text>
                <Text color="error">
                  <strong>{summary.breaching}</strong> breaching
                </Text>
              </Stack>
              <SlaTable endpoints={report.endpoints} period={period} printable />
              <section>
                <Text element="h3">Incidents in the period</Text>
                <PeriodIncidents from={report.period.start} to={report.period.end} printable />
              </section>
              <footer className={styles.footer}>
                <Text variant="bodySmall" color="secondary" element="p">
                  Latency compliance is the share of requests answered within the latency threshold; the error
                  rate counts the statuses the SLA defines as errors (5xx unless stated otherwise);
                  availability is the share of the period the app&rsquo;s scrape targets were up. The error
                  budget is what the target allows to fail in the period; &ldquo;budget left&rdquo; is the
                  part not yet spent, also given as minutes of full outage. Calendar months and quarters start
                  with the whole budget on their first day. Numbers come from Prometheus through the Perfwatch
                  exporter.
                </Text>
              </footer>
            </article>
          </ThemeContext.Provider>
        )}
      </QueryState>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({ display: 'flex', justifyContent: 'space-between', marginBottom: theme.spacing(2) }),
  sheet: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    maxWidth: 1400,
    // The sheet of paper, also on screen: white, whatever the theme around it.
    background: PAPER.colors.background.primary,
    color: PAPER.colors.text.primary,
    padding: theme.spacing(3),
  }),
  header: css({ borderBottom: `1px solid ${PAPER.colors.border.medium}`, paddingBottom: theme.spacing(1) }),
  footer: css({ borderTop: `1px solid ${PAPER.colors.border.weak}`, paddingTop: theme.spacing(1) }),
});
