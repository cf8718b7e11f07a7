import { toExporterError } from './errors';

// What getBackendSrv().fetch throws for a proxied call (backend_srv.ts processRequestError shapes it).
const fetchError = (status: number, data: unknown) => ({
  status,
  statusText: '',
  data,
  config: { url: 'x' },
});

describe('toExporterError', () => {
  it("words a 504 from Grafana's proxy as a timeout, not as an unreachable exporter", () => {
    const err = toExporterError(fetchError(504, { message: '', error: 'Gateway Timeout', response: '' }));
    expect(err.message).toMatch(/did not answer in time/);
    expect(err.message).not.toMatch(/could not reach/);
  });

  it('words a 502 as an exporter Grafana could not reach', () => {
    expect(toExporterError(fetchError(502, { message: '', response: '' })).message).toMatch(
      /could not reach/,
    );
  });

  it("tells the exporter's 401 (a wrong token) from Grafana's own 401 (an expired session)", () => {
    const token = toExporterError(
      fetchError(401, { error: { code: 'unauthorized', message: 'missing or unknown bearer token' } }),
    );
    expect(token.message).toMatch(/rejected the API token/);
    expect(token.isAuthFailure).toBe(true);
    expect(toExporterError(fetchError(401, { message: 'Unauthorized' })).message).toMatch(
      /session may have expired/,
    );
  });
});
