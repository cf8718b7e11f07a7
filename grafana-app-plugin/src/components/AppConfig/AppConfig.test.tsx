import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType, type AppPluginMeta, type PluginMeta } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import type { AppSettings } from '../../constants';
import { FakeBackend, apiError } from '../../test/backend';
import AppConfig, { checkExporterUrl, type AppConfigProps } from './AppConfig';

function props(jsonData: AppSettings = {}, secureJsonFields: Record<string, boolean> = {}): AppConfigProps {
  const meta = {
    id: 'perfwatch-app',
    name: 'Perfwatch',
    type: PluginType.app,
    enabled: false,
    pinned: false,
    jsonData,
    secureJsonFields,
    info: {} as PluginMeta['info'],
    module: '',
    baseUrl: '',
  } as unknown as AppPluginMeta<AppSettings>;
  return { plugin: { meta } as AppConfigProps['plugin'], query: {} } as AppConfigProps;
}

// The picker lists Grafana's datasources; outside Grafana there are none to list.
setDataSourceSrv({
  getList: () => [],
  getInstanceSettings: () => undefined,
  get: () => Promise.reject(new Error('no datasources')),
  reload: () => undefined,
  registerRuntimeDataSource: () => undefined,
} as unknown as DataSourceSrv);

const whoami = { name: 'grafana', scopes: ['read', 'write'] };
const status = {
  version: '0.1.0',
  startedAt: '',
  uptimeSeconds: 600,
  store: { kind: 'sqlite', schemaVersion: 3 },
};

// userEvent typing through Grafana's inputs takes several seconds on a busy shared CI machine.
jest.setTimeout(30_000);

describe('App configuration', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
    backend.on('POST', '/api/plugins/perfwatch-app/settings', {});
  });

  it('saves the URL and the token as a secret, then reports the connection', async () => {
    backend.on('GET', '/whoami', whoami).on('GET', '/status', status);
    render(<AppConfig {...props()} />);
    await userEvent.type(screen.getByTestId('data-testid ac-exporter-url'), 'http://perfwatch:9470/');
    await userEvent.type(screen.getByTestId('data-testid ac-api-token'), 's3cret');
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    expect(await screen.findByText('Connected to the exporter')).toBeInTheDocument();
    expect(screen.getByText(/Perfwatch 0.1.0, store sqlite/)).toBeInTheDocument();
    expect(backend.callsTo('POST', '/api/plugins/perfwatch-app/settings')[0].body).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { exporterUrl: 'http://perfwatch:9470', prometheusDatasourceUid: undefined },
      secureJsonData: { apiToken: 's3cret' },
    });
  });

  it('keeps a stored token untouched when none is typed', async () => {
    backend.on('GET', '/whoami', whoami).on('GET', '/status', status);
    render(<AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    await screen.findByText('Connected to the exporter');
    expect(
      (backend.callsTo('POST', '/api/plugins/perfwatch-app/settings')[0].body as { secureJsonData?: unknown })
        .secureJsonData,
    ).toBeUndefined();
  });

  it('says which identity header arrives, and what is recorded when none does', async () => {
    backend
      .on('GET', '/whoami', { ...whoami, userHeader: 'x-grafana-user', user: 'alice' })
      .on('GET', '/status', status);
    const { unmount } = render(
      <AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />,
    );
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    await screen.findByText(/Grafana sends x-grafana-user: alice/);
    unmount();

    backend.on('GET', '/whoami', { ...whoami, userHeader: 'x-grafana-user', user: null });
    render(<AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    await screen.findByText(/Grafana sends no x-grafana-user header/);
    expect(screen.getByText(/records incident actions as token "grafana"/)).toBeInTheDocument();
    expect(screen.getByText(/send_user_header = true/)).toBeInTheDocument();
  });

  it('warns when the token cannot change incidents', async () => {
    backend.on('GET', '/whoami', { name: 'grafana', scopes: ['read'] }).on('GET', '/status', status);
    render(<AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    expect(await screen.findByText('Connected, read-only')).toBeInTheDocument();
    expect(screen.getByText(/lacks the "write" scope/)).toBeInTheDocument();
  });

  it('says in words that the exporter rejected the token', async () => {
    backend
      .on('GET', '/whoami', apiError('unauthorized', 'unknown bearer token'), 401)
      .on('GET', '/status', apiError('unauthorized', 'unknown bearer token'), 401);
    render(<AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    expect(await screen.findByText('Connection test failed')).toBeInTheDocument();
    expect(screen.getByText(/rejected the API token: unknown bearer token/)).toBeInTheDocument();
  });

  it('says when Grafana cannot reach the exporter', async () => {
    backend.on('GET', '/whoami', {}, 502).on('GET', '/status', {}, 502);
    render(<AppConfig {...props({ exporterUrl: 'http://nowhere:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    expect(await screen.findByText(/could not reach the exporter/)).toBeInTheDocument();
  });

  it('refuses to save without a URL and a token', async () => {
    render(<AppConfig {...props()} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    await waitFor(() => expect(screen.getByText(/The exporter URL is required/)).toBeInTheDocument());
    expect(screen.getByText('The API token is required')).toBeInTheDocument();
    expect(backend.callsTo('POST', '/api/plugins/perfwatch-app/settings')).toHaveLength(0);
  });
});

describe('Exporter URL check', () => {
  it('explains what is wrong with a URL', () => {
    expect(checkExporterUrl('http://perfwatch:9470')).toBe('');
    expect(checkExporterUrl('perfwatch:9470')).toMatch(/http/);
    expect(checkExporterUrl('ftp://perfwatch')).toMatch(/only http/);
    expect(checkExporterUrl('http://perfwatch:9470/api/v1')).toMatch(/without \/api\/v1/);
  });
});

describe('Saving without the Admin role', () => {
  it('says that configuring an app needs the Admin role', async () => {
    const backend = new FakeBackend().install();
    backend.on('POST', '/api/plugins/perfwatch-app/settings', { message: 'Permission denied' }, 403);
    render(<AppConfig {...props({ exporterUrl: 'http://perfwatch:9470' }, { apiToken: true })} />);
    await userEvent.click(screen.getByTestId('data-testid ac-submit'));
    expect(await screen.findByText(/configuring an app needs the Admin role/)).toBeInTheDocument();
  });
});
