import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { localAlertmanagerConfig } from '../src/alertmanager-config';
import { findBinaries } from '../src/binaries';
import { JOBS, prometheusConfig } from '../src/prometheus-config';
import { repoRoot } from '../src/stack';

const ROOT = repoRoot();
const PROV = path.join(ROOT, 'provisioning');

function promtool(args: string[]): string {
  const { promtool: bin } = findBinaries(['promtool']);
  return execFileSync(bin, args, { encoding: 'utf8', stdio: 'pipe' });
}

describe('Prometheus configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-prov-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("promtool accepts docker-compose's provisioning/prometheus/prometheus.yml", () => {
    expect(promtool(['check', 'config', path.join(PROV, 'prometheus', 'prometheus.yml')])).toContain(
      'SUCCESS',
    );
  });

  test('promtool accepts the native stack config with the generated rules loaded', () => {
    const rules = path.join(dir, 'rules');
    mkdirSync(rules);
    // The generated rules as the stack loads them (every alert-rules/*.yml).
    for (const f of readdirYml(path.join(ROOT, 'alert-rules')))
      writeFileSync(path.join(rules, path.basename(f)), readFileSync(f));
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(
      file,
      prometheusConfig({
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        ruleFiles: [path.join(rules, '*.yml')],
        alertmanagers: ['127.0.0.1:9093'],
        targets: {
          exporter: '127.0.0.1:9470',
          demo: '127.0.0.1:8080',
          node: '127.0.0.1:9100',
          prometheus: '127.0.0.1:9090',
          alertmanager: ['127.0.0.1:9093'],
        },
      }),
    );
    expect(promtool(['check', 'config', file])).toContain('SUCCESS');
  });

  test('docker-compose and the native stack scrape the same jobs', () => {
    const compose = parse(readFileSync(path.join(PROV, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
      rule_files: string[];
    };
    expect(compose.scrape_configs.map((s) => s.job_name).sort()).toEqual(Object.values(JOBS).sort());
    expect(compose.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
  });
});

function readdirYml(dir: string): string[] {
  return execFileSync('find', [dir, '-maxdepth', '1', '-name', '*.yml'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('Alertmanager configuration', () => {
  test('the generated config, and the same pointed at the native stack, pass amtool check-config', () => {
    const { amtool } = findBinaries(['amtool']);
    const generated = path.join(PROV, 'alertmanager', 'alertmanager.yml');
    expect(execFileSync(amtool, ['check-config', generated], { encoding: 'utf8' })).toContain('SUCCESS');
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-am-'));
    try {
      const file = path.join(dir, 'alertmanager.yml');
      writeFileSync(
        file,
        localAlertmanagerConfig(readFileSync(generated, 'utf8'), {
          smtp: '127.0.0.1:1025',
          slackUrl: 'http://127.0.0.1:8025/slack',
          oncallUrl: 'http://127.0.0.1:8025/oncall',
          exporterUrl: 'http://127.0.0.1:9470',
          exporterToken: 'alertmanager-token-0123456789',
          secretsDir: dir,
          sourceDir: path.dirname(generated),
        }),
      );
      expect(execFileSync(amtool, ['check-config', file], { encoding: 'utf8' })).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana provisioning', () => {
  const yml = (rel: string) => parse(readFileSync(path.join(PROV, 'grafana', rel), 'utf8'));

  test('the Prometheus data source has the uid the app and dashboards refer to', () => {
    const ds = yml('datasources/perfwatch.yml').datasources as Array<{ uid: string; type: string }>;
    const app = yml('plugins/perfwatch-app.yml').apps[0];
    expect(ds.find((d) => d.type === 'prometheus')?.uid).toBe(app.jsonData.prometheusDatasourceUid);
    expect(ds.map((d) => d.type).sort()).toEqual(['alertmanager', 'prometheus']);
  });

  test('the app is provisioned enabled with its exporter URL in jsonData and the token in secureJsonData', () => {
    const app = yml('plugins/perfwatch-app.yml').apps[0];
    expect(app.type).toBe('perfwatch-app');
    expect(app.disabled).toBe(false);
    expect(app.jsonData.exporterUrl).toBe('${PERFWATCH_EXPORTER_URL}');
    expect(app.secureJsonData.apiToken).toBe('${PERFWATCH_GRAFANA_TOKEN}');
    expect(JSON.stringify(app.jsonData)).not.toMatch(/token/i);
  });

  test('the dashboards provider reads the directory docker-compose mounts dashboards/ at', () => {
    const provider = yml('dashboards/perfwatch.yml').providers[0];
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`./dashboards:${provider.options.path}:ro`);
  });
});
