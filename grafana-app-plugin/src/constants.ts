import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Where the plugin.json proxy route "exporter" forwards to `<exporterUrl>/api/v1`. */
export const EXPORTER_PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}/exporter`;

export enum ROUTES {
  SlowQueries = 'slow-queries',
  /** One request's slow queries across fingerprints (`?id=<request id>`). */
  SlowQueryRequest = 'slow-queries/request',
  Incidents = 'incidents',
  Sla = 'sla',
  Health = 'health',
}

/** Settings stored in the app's jsonData (never secrets: those live in secureJsonData). */
export interface AppSettings {
  exporterUrl?: string;
  prometheusDatasourceUid?: string;
}
