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
    explain: 'data-testid sq-explain',
    planTree: 'data-testid sq-plan-tree',
    planText: 'data-testid sq-plan-text',
    comparison: 'data-testid sq-comparison',
    request: 'data-testid sq-request',
    requestQueries: 'data-testid sq-request-queries',
    requestFingerprints: 'data-testid sq-request-fingerprints',
    facets: 'data-testid sq-facets',
    groups: 'data-testid sq-groups',
  },
  health: {
    table: 'data-testid health-table',
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
