import type { ExplainResult } from './explain';
import type { HealthChecks } from './health';
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { EXPORTER_PROXY_BASE } from '../constants';
import { toExporterError } from './errors';
import type {
  BulkResult,
  Incident,
  IncidentDetail,
  IncidentCreate,
  IncidentFilter,
  IncidentList,
  IncidentSeverity,
  IncidentStats,
  IncidentStatus,
  ServiceStatus,
  SilenceResult,
  UnsilenceResult,
  DiagnosticsSnapshot,
  SlaBurndown,
  SlaHistory,
  SlaReport,
  RequestSamples,
  SlowQueryDetail,
  SlowQueryFacets,
  SlowQueryFilter,
  SlowQueryGroupBy,
  SlowQueryGroups,
  SlowQueryList,
  SlowQuerySort,
  WhoAmI,
} from './types';

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

/** `?a=1&b=x&b=y` from the values that are set; arrays repeat the key. */
export function toQueryString(query?: Query): string {
  if (!query) {
    return '';
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v) => params.append(key, v));
    } else {
      params.set(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function request<T>(
  method: string,
  path: string,
  query?: Query,
  body?: unknown,
  responseType?: 'blob',
): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${EXPORTER_PROXY_BASE}${path}${toQueryString(query)}`,
        method,
        data: body,
        // The pages show errors in place, in words; Grafana's toasts would repeat them.
        showErrorAlert: false,
        showSuccessAlert: false,
        ...(responseType ? { responseType } : {}),
      }),
    );
    return response.data;
  } catch (e) {
    throw toExporterError(responseType === 'blob' ? await withJsonErrorBody(e) : e);
  }
}

/**
 * Grafana reads every answer to a `responseType: 'blob'` request as a Blob, error answers too
 * (core/services/backend_srv.ts getFromFetchStream hands options.responseType to
 * core/utils/fetch.ts parseResponseBody whatever the status), so the exporter's JSON error arrives
 * as a Blob; read it back so the page can say what went wrong.
 */
async function withJsonErrorBody(e: unknown): Promise<unknown> {
  if (!isFetchError(e) || !(e.data instanceof Blob)) {
    return e;
  }
  const text = await blobText(e.data);
  try {
    return { ...e, data: JSON.parse(text) };
  } catch {
    return { ...e, data: text ? { message: text } : undefined };
  }
}

/** The Blob's text through FileReader, which jsdom (the unit tests) has too; it lacks Blob.text(). */
function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

const id = (s: string) => encodeURIComponent(s);

const action = (incidentId: number, name: string, body: object) =>
  request<Incident>('POST', `/incidents/${incidentId}/${name}`, undefined, body);

/** Samples of one request the request view asks for (the exporter's cap is 500). */
export const REQUEST_SAMPLE_LIMIT = 500;

/** The exporter's JSON API as reached through the plugin's proxy route. */
export const api = {
  whoami: () => request<WhoAmI>('GET', '/whoami'),
  status: () => request<ServiceStatus>('GET', '/status'),

  slowQueries: (
    filter: SlowQueryFilter & {
      sort?: SlowQuerySort;
      order?: 'asc' | 'desc';
      limit?: number;
      offset?: number;
      /** Buckets of each row's load series (0 or absent: none). */
      buckets?: number;
    },
  ) => request<SlowQueryList>('GET', '/slow-queries', { ...filter }),
  /** The list grouped by route, database or service instead of by fingerprint. */
  slowQueryGroups: (
    filter: SlowQueryFilter & {
      by: SlowQueryGroupBy;
      sort?: SlowQuerySort;
      order?: 'asc' | 'desc';
      limit?: number;
      offset?: number;
      buckets?: number;
    },
  ) => request<SlowQueryGroups>('GET', '/slow-queries/groups', { ...filter }),
  slowQueryFacets: (filter: SlowQueryFilter & { top?: number }) =>
    request<SlowQueryFacets>('GET', '/slow-queries/facets', { ...filter }),
  slowQuery: (fingerprintId: string, filter: SlowQueryFilter) =>
    request<SlowQueryDetail>('GET', `/slow-queries/${id(fingerprintId)}`, { ...filter, q: undefined }),
  /** Every stored sample of one request or job, across fingerprints, oldest first. */
  requestSamples: (requestId: string) =>
    request<RequestSamples>('GET', '/slow-queries/samples', { requestId, limit: REQUEST_SAMPLE_LIMIT }),

  incidents: (filter: IncidentFilter) => request<IncidentList>('GET', '/incidents', { ...filter }),
  incident: (incidentId: number) => request<IncidentDetail>('GET', `/incidents/${incidentId}`),
  incidentStats: (range: { from?: number; to?: number }) =>
    request<IncidentStats>('GET', '/incidents/stats', range),
  // Actions answer with the incident as it is after the change.
  acknowledge: (incidentId: number) => action(incidentId, 'acknowledge', {}),
  unacknowledge: (incidentId: number) => action(incidentId, 'unacknowledge', {}),
  assign: (incidentId: number, assignee: string | null) => action(incidentId, 'assign', { assignee }),
  setStatus: (incidentId: number, status: IncidentStatus) => action(incidentId, 'status', { status }),
  setSeverity: (incidentId: number, severity: IncidentSeverity) =>
    action(incidentId, 'severity', { severity }),
  addNote: (incidentId: number, text: string) => action(incidentId, 'notes', { text }),
  resolve: (incidentId: number, note: string) => action(incidentId, 'resolve', note ? { note } : {}),
  silence: (incidentId: number, durationMinutes: number) =>
    request<SilenceResult>('POST', `/incidents/${incidentId}/silence`, undefined, { durationMinutes }),
  unsilence: (incidentId: number) =>
    request<UnsilenceResult>('POST', `/incidents/${incidentId}/unsilence`, undefined, {}),
  takeDiagnostics: (incidentId: number) =>
    request<DiagnosticsSnapshot>('POST', `/incidents/${incidentId}/diagnostics`, undefined, {}),
  bulk: (ids: number[], what: 'acknowledge' | 'resolve', note?: string) =>
    request<BulkResult>('POST', `/incidents/bulk/${what}`, undefined, note ? { ids, note } : { ids }),

  createIncident: (n: NewIncident) => request<Incident>('POST', '/incidents', undefined, toCreateBody(n)),

  slaReport: (period: string) => request<SlaReport>('GET', '/sla/report', { period }),
  slaHistory: (months: number) => request<SlaHistory>('GET', '/sla/history', { months }),
  /** The report as the PDF the exporter prints with headless Chromium. */
  slaReportPdf: (period: string) => request<Blob>('GET', '/sla/report.pdf', { period }, undefined, 'blob'),
  slaBurndown: (period: string, sla?: string) =>
    request<SlaBurndown>('GET', '/sla/burndown', { period, sla }),

  explain: (fingerprintId: string, database?: string) =>
    request<ExplainResult>(
      'POST',
      `/slow-queries/${id(fingerprintId)}/explain`,
      undefined,
      database ? { database } : {},
    ),
  healthChecks: () => request<HealthChecks>('GET', '/health/checks'),
};

export interface NewIncident {
  title: string;
  severity: IncidentSeverity;
  /** What is happening, for the timeline and whoever picks it up. */
  description: string;
  /** What caused it, when known at creation (the API has no field of its own: see toCreateBody). */
  rootCause: string;
  /** `name=value` pairs separated by spaces or commas. */
  labels: string;
}

/**
 * The body of POST /api/v1/incidents (IncidentCreate in the contract: title, description, severity,
 * status, labels, assignee). A known root cause goes into the description under its own heading and
 * opens the incident as "identified", which is what that status means in the incident lifecycle.
 */
export function toCreateBody(n: NewIncident): IncidentCreate {
  const labels = Object.fromEntries(
    n.labels
      .split(/[\s,]+/)
      .map((pair) => pair.split('='))
      .filter((kv) => kv.length === 2 && kv[0] && kv[1]),
  );
  const rootCause = n.rootCause.trim();
  const description = [n.description.trim(), rootCause ? `Root cause: ${rootCause}` : '']
    .filter(Boolean)
    .join('\n\n');
  return {
    title: n.title.trim(),
    severity: n.severity,
    ...(description ? { description } : {}),
    ...(rootCause ? { status: 'identified' as const } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
}
