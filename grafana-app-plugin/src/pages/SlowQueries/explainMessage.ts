import { ExporterError } from '../../api/errors';

/** explain_refused's details.reason in words (exporter/src/queries/explain-statement.ts names them). */
const REFUSED: Record<string, string> = {
  multiple_statements: 'the fingerprint holds more than one statement',
  not_dml: 'only a single SELECT, INSERT, UPDATE or DELETE is explained',
  writes_file: 'SELECT … INTO writes a file, variables or a table',
  values_rows: 'the INSERT has no column list to rebuild its rows from',
  empty: 'the fingerprint is empty',
};

function reasonOf(details: unknown): string | undefined {
  if (details && typeof details === 'object' && 'reason' in details) {
    const reason = (details as { reason: unknown }).reason;
    return typeof reason === 'string' ? reason : undefined;
  }
  return undefined;
}

/** A title and an explanation an operator can act on, for each way EXPLAIN can fail. */
export function explainMessage(error: Error): { title: string; text: string } {
  const e = error instanceof ExporterError ? error : new ExporterError(error.message, 0);
  switch (e.code) {
    case 'explain_not_configured':
      return { title: 'EXPLAIN is not set up for this database', text: e.message };
    case 'explain_refused': {
      const reason = reasonOf(e.details);
      return {
        title: 'This statement is not explained',
        text: reason && REFUSED[reason] ? `Refused: ${REFUSED[reason]} (${reason}).` : e.message,
      };
    }
    case 'explain_rejected':
      return { title: 'The database rejected the EXPLAIN', text: e.message };
    case 'explain_busy':
      return {
        title: 'Another EXPLAIN is running on this connection',
        text: `One EXPLAIN at a time per database keeps the load down: try again in a moment. (${e.message})`,
      };
    case 'explain_unavailable':
      return { title: 'The database could not be reached', text: e.message };
    case 'explain_timeout':
      return {
        title: 'EXPLAIN hit the statement timeout',
        text: `${e.message}. Planning took longer than queries.explain.statementTimeoutMs allows.`,
      };
  }
  if (e.status === 403 && !e.code) {
    // Grafana's proxy sends every POST through the write route (plugin.json): Viewers are refused.
    return {
      title: 'Grafana refused the EXPLAIN',
      text: 'EXPLAIN is a POST through the plugin proxy, which needs the Editor role or the Perfwatch Incidents writer role.',
    };
  }
  return { title: 'EXPLAIN failed', text: e.message };
}
