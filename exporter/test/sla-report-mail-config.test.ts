import { ConfigError, parseConfig } from '../src/config/load';

const endpoints = [{ route: '/api/checkout', method: 'POST', latency: 'p95 < 300ms' }];

test('a mailed SLA report needs the SMTP settings Alertmanager uses', () => {
  const parse = () =>
    parseConfig({ sla: { job: 'demo', report: { email: { to: ['sre@example.com'] } }, endpoints } });
  expect(parse).toThrow(ConfigError);
  expect(parse).toThrow(/sla\.report\.email: the SLA report is mailed through sla\.alerting\.email/);
});

test('a mailed SLA report goes on the 1st at 06:00 UTC with the PDF unless told otherwise', () => {
  const config = parseConfig({
    sla: {
      job: 'demo',
      alerting: { email: { smarthost: 'mail:25', from: 'am@example.com', to: ['oncall@example.com'] } },
      report: { email: { to: ['sre@example.com'] } },
      endpoints,
    },
  });
  expect(config.sla.report.email).toEqual({ to: ['sre@example.com'], day: 1, at: '06:00', pdf: true });
  expect(() =>
    parseConfig({
      sla: {
        job: 'demo',
        alerting: { email: { smarthost: 'mail:25', from: 'am@example.com', to: ['oncall@example.com'] } },
        report: { email: { to: ['sre@example.com'], day: 31, at: '6am' } },
        endpoints,
      },
    }),
  ).toThrow(/sla\.report\.email\.day[\s\S]*sla\.report\.email\.at: expected HH:MM \(UTC\)/);
});
