import React, { useState, type ChangeEvent, type FormEvent } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, Text, useStyles2 } from '@grafana/ui';
import { api } from '../../api/client';
import { toExporterError } from '../../api/errors';
import type { AppSettings } from '../../constants';
import { testIds } from '../testIds';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

type TestResult = { severity: 'success' | 'warning' | 'error'; title: string; lines: string[] };

/** Empty when the URL is usable, otherwise what is wrong with it. */
export function checkExporterUrl(value: string): string {
  if (!value) {
    return 'The exporter URL is required, for example http://perfwatch:9470';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not a URL: write it with the scheme, for example http://perfwatch:9470';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'Grafana proxies only http:// and https:// URLs';
  }
  if (url.pathname.replace(/(?<!\/)\/+$/, '').endsWith('/api/v1')) {
    return 'Give the exporter base URL without /api/v1; the plugin adds it';
  }
  return '';
}

/** What the connection test found, in words. */
export async function testConnection(): Promise<TestResult> {
  try {
    const [who, status] = await Promise.all([api.whoami(), api.status()]);
    const lines = [
      `Perfwatch ${status.version}, store ${status.store.kind} (schema ${status.store.schemaVersion}), up ${Math.round(status.uptimeSeconds / 60)} min.`,
      `Token "${who.name}" has the scopes: ${who.scopes.join(', ') || 'none'}.`,
    ];
    if (who.userHeader && who.user) {
      lines.push(
        `Grafana sends ${who.userHeader}: ${who.user}, so the exporter records incident actions under the Grafana user.`,
      );
    } else if (who.userHeader) {
      lines.push(
        `Grafana sends no ${who.userHeader} header, so the exporter records incident actions as token "${who.name}". ` +
          'Set [dataproxy] send_user_header = true in grafana.ini to record who did what.',
      );
    }
    const canWrite = who.scopes.includes('write');
    if (!canWrite) {
      lines.push(
        'The token lacks the "write" scope: the pages will show data, but acknowledging, assigning and resolving incidents will fail. Give the token the write scope in the exporter configuration.',
      );
    }
    return {
      severity: canWrite ? 'success' : 'warning',
      title: canWrite ? 'Connected to the exporter' : 'Connected, read-only',
      lines,
    };
  } catch (e) {
    const err = toExporterError(e);
    const lines = [err.message];
    if (err.status === 403 && err.code) {
      lines.push(
        'Give the token the "read" scope (and "write" to change incidents) in the exporter configuration.',
      );
    }
    return { severity: 'error', title: 'Connection test failed', lines };
  }
}

async function saveSettings(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${pluginId}/settings`,
      method: 'POST',
      data,
      showSuccessAlert: false,
      showErrorAlert: false,
    }),
  );
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { jsonData, secureJsonFields } = plugin.meta;
  const [exporterUrl, setExporterUrl] = useState(jsonData?.exporterUrl ?? '');
  const [prometheusUid, setPrometheusUid] = useState(jsonData?.prometheusDatasourceUid ?? '');
  const [apiToken, setApiToken] = useState('');
  const [isTokenSet, setIsTokenSet] = useState(Boolean(secureJsonFields?.apiToken));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestResult | undefined>();
  const [touched, setTouched] = useState(false);

  const urlError = checkExporterUrl(exporterUrl.trim());
  const tokenMissing = !isTokenSet && !apiToken;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (urlError || tokenMissing) {
      return;
    }
    setBusy(true);
    setResult(undefined);
    try {
      await saveSettings(plugin.meta.id, {
        enabled: true,
        pinned: true,
        jsonData: {
          exporterUrl: exporterUrl.trim().replace(/(?<!\/)\/+$/, ''),
          prometheusDatasourceUid: prometheusUid || undefined,
        },
        // Sending secureJsonData overwrites the stored secret, so only when a new token was typed.
        secureJsonData: apiToken ? { apiToken } : undefined,
      });
      if (apiToken) {
        setIsTokenSet(true);
        setApiToken('');
      }
    } catch (e) {
      const status = (e as { status?: number }).status;
      setResult({
        severity: 'error',
        title: 'Could not save the settings',
        lines: [
          status === 403
            ? 'Grafana refused to save them: configuring an app needs the Admin role in this organization.'
            : toExporterError(e).message,
        ],
      });
      setBusy(false);
      return;
    }
    const tested = await testConnection();
    if (tested.severity !== 'error') {
      tested.lines.push(
        'Settings saved. Reload the page for open app pages to pick up a changed datasource.',
      );
    }
    setResult(tested);
    setBusy(false);
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label="Perfwatch exporter">
        <Text color="secondary" element="p">
          Grafana forwards the app&apos;s requests to the exporter and adds the API token on the server: the
          browser never sees it. Viewers can read; changing incidents needs the Editor role (or the app’s
          Incidents writer role).
        </Text>
        <Field
          label="Exporter URL"
          description="Base URL of perfwatch serve as the Grafana server reaches it"
          invalid={touched && Boolean(urlError)}
          error={urlError}
          className={s.marginTop}
        >
          <Input
            width={60}
            id="config-exporter-url"
            data-testid={testIds.appConfig.exporterUrl}
            value={exporterUrl}
            placeholder="http://perfwatch:9470"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setExporterUrl(e.target.value)}
          />
        </Field>
        <Field
          label="API token"
          description="A Perfwatch token with the read scope, and write to act on incidents"
          invalid={touched && tokenMissing}
          error="The API token is required"
        >
          <SecretInput
            width={60}
            id="config-api-token"
            data-testid={testIds.appConfig.apiToken}
            value={apiToken}
            isConfigured={isTokenSet}
            placeholder="Token from the exporter's tokens[] configuration"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setApiToken(e.target.value.trim())}
            onReset={() => {
              setApiToken('');
              setIsTokenSet(false);
            }}
          />
        </Field>
        <Field label="Prometheus datasource" description="Used for the charts on the SLA reports page">
          <div data-testid={testIds.appConfig.datasource}>
            <DataSourcePicker
              width={60}
              pluginId="prometheus"
              current={prometheusUid || null}
              noDefault
              onChange={(ds) => setPrometheusUid(ds.uid)}
            />
          </div>
        </Field>
        <Stack gap={1}>
          <Button
            type="submit"
            data-testid={testIds.appConfig.submit}
            disabled={busy}
            icon={busy ? 'spinner' : undefined}
          >
            Save &amp; test
          </Button>
        </Stack>
      </FieldSet>
      {result && (
        <Alert severity={result.severity} title={result.title} data-testid={testIds.appConfig.result}>
          {result.lines.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </Alert>
      )}
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({ marginTop: theme.spacing(2) }),
});
