import { loadConfig, parseConfig } from '../src/config/load';
import { severityOf } from '../src/incidents/alertmanager-payload';

describe('incident configuration', () => {
  test('PERFWATCH_ALERTMANAGER_URL and PERFWATCH_PROMETHEUS_URL set the API addresses', () => {
    const c = loadConfig(undefined, {
      PERFWATCH_ALERTMANAGER_URL: 'http://am:9093',
      PERFWATCH_PROMETHEUS_URL: 'http://prom:9090',
    });
    expect(c.alertmanager.url).toBe('http://am:9093');
    expect(c.prometheus.url).toBe('http://prom:9090');
  });

  test('an Alertmanager address that is not an http URL is refused naming the field', () => {
    expect(() => parseConfig({ alertmanager: { url: 'am:9093' } })).toThrow(
      /alertmanager\.url: expected an http\(s\) URL such as http:\/\/alertmanager:9093/,
    );
  });

  test('an unknown severity in severityMap is refused naming the field', () => {
    expect(() => parseConfig({ incidents: { severityMap: { page: 'urgent' } } })).toThrow(
      /incidents\.severityMap\.page/,
    );
  });
});

describe('severity mapping', () => {
  const config = parseConfig({
    incidents: { severityMap: { page: 'critical', critical: 'critical' } },
  }).incidents;
  const defaults = parseConfig({}).incidents;

  test.each([
    ['warning', 'medium'],
    ['critical', 'high'],
    ['emergency', 'critical'],
    ['info', 'low'],
    ['low', 'low'],
    ['medium', 'medium'],
    ['high', 'high'],
    ['Warning ', 'medium'],
    ['bogus', 'medium'],
  ])('severity="%s" maps to %s by default', (label, expected) => {
    expect(severityOf({ severity: label }, defaults)).toBe(expected);
  });

  test('a missing label takes the default severity', () => {
    expect(severityOf({}, defaults)).toBe('medium');
  });

  test('severityMap adds and overrides pairs', () => {
    expect(severityOf({ severity: 'page' }, config)).toBe('critical');
    expect(severityOf({ severity: 'critical' }, config)).toBe('critical');
    expect(severityOf({ severity: 'warning' }, config)).toBe('medium');
  });
});
