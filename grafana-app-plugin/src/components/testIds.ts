/** data-testid values shared by the jest tests and the browser test. */
export const testIds = {
  appConfig: {
    container: 'data-testid ac-container',
    exporterUrl: 'data-testid ac-exporter-url',
    apiToken: 'data-testid ac-api-token',
    datasource: 'data-testid ac-datasource',
    submit: 'data-testid ac-submit',
    result: 'data-testid ac-result',
  },
  slowQueries: {
    table: 'data-testid sq-table',
    detail: 'data-testid sq-detail',
    sql: 'data-testid sq-sql',
    chart: 'data-testid sq-chart',
  },
  incidents: {
    table: 'data-testid inc-table',
    detail: 'data-testid inc-detail',
    timeline: 'data-testid inc-timeline',
    mtta: 'data-testid inc-mtta',
    mttr: 'data-testid inc-mttr',
  },
  sla: {
    table: 'data-testid sla-table',
    detail: 'data-testid sla-detail',
    print: 'data-testid sla-print',
  },
};
