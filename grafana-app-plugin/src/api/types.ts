import type { components, operations } from './openapi.gen';

/*
 * The exporter's JSON API as the pages use it: every wire shape is the exporter's own, generated from
 * exporter/openapi.yaml into openapi.gen.ts (`npm run openapi`), which is generated from the zod
 * schemas beside the exporter's routes. Names only here, no shapes: a change on the exporter's side
 * breaks this build instead of drifting.
 */

type Schemas = components['schemas'];
/** The JSON a GET operation answers with when the contract gives its shape inline. */
type Answer<Op extends 'getSlaHistory' | 'getSlaBurndown'> =
  operations[Op]['responses'][200]['content']['application/json'];

export type ApiErrorBody = Schemas['Error'];
export type WhoAmI = Schemas['WhoAmI'];
export type ServiceStatus = Schemas['ServiceStatus'];

// ---- Slow queries -------------------------------------------------------------------------------

export type SlowQueryList = Schemas['SlowQueryList'];
export type SlowQuerySort = SlowQueryList['sort'];
export type FingerprintStats = Schemas['FingerprintStats'];
export type SlowQuerySample = Schemas['SlowQuerySample'];
export type SlowQueryDetail = Schemas['SlowQueryDetail'];
export type RequestSamples = Schemas['RequestSamples'];
export type RequestSample = RequestSamples['items'][number];
export type RequestFingerprint = RequestSamples['fingerprints'][number];
export type SlowQueryFacets = Schemas['SlowQueryFacets'];
export type SlowQueryFacet = SlowQueryFacets['facets'][number];
export type SlowQueryGroups = Schemas['SlowQueryGroups'];
export type SlowQueryGroup = Schemas['SlowQueryGroup'];
export type SlowQueryGroupBy = SlowQueryGroups['by'];

// ---- Incidents ----------------------------------------------------------------------------------

export type IncidentStatus = Schemas['Status'];
export const INCIDENT_STATUSES: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

export type IncidentSeverity = Schemas['Severity'];
export const INCIDENT_SEVERITIES: IncidentSeverity[] = ['critical', 'high', 'medium', 'low'];

export type Incident = Schemas['Incident'];
export type IncidentAlert = Schemas['IncidentAlert'];
export type TimelineEvent = Schemas['TimelineEvent'];
export type IncidentDetail = Schemas['IncidentDetail'];
export type IncidentCreate = NonNullable<
  operations['createIncident']['requestBody']
>['content']['application/json'];
export type IncidentList = Schemas['IncidentList'];
export type DurationStats = Schemas['DurationStats'];
export type IncidentStats = Schemas['IncidentStats'];
export type BulkResult = Schemas['BulkResult'];
export type SilenceResult = Schemas['SilenceResult'];
export type UnsilenceResult = Schemas['UnsilenceResult'];
export type DiagnosticsSnapshot = Schemas['DiagnosticsSnapshot'];

// ---- SLA reports --------------------------------------------------------------------------------

export type SlaReport = Schemas['SlaReport'];
export type SlaEndpointReport = Schemas['SlaEndpointReport'];
export type SlaMeasurement = Schemas['SlaMeasurement'];
export type SlaStatus = SlaEndpointReport['status'];
export type SlaPriority = SlaEndpointReport['priority'];
export type SlaCoverage = Schemas['SlaCoverage'];
export type SlaHistory = Answer<'getSlaHistory'>;
export type SlaHistoryMonth = SlaHistory['months'][number];
export type SlaBurndown = Answer<'getSlaBurndown'>;
export type SlaBurndownEndpoint = SlaBurndown['endpoints'][number];
export type SlaBurndownSli = SlaBurndownEndpoint['slis'][number];

// ---- What the pages ask for (their own state, sent as query parameters) --------------------------

export interface SlowQueryFilter {
  from?: number;
  to?: number;
  database?: string;
  route?: string;
  operation?: string;
  /** The sending app; '' for the samples that name none. */
  service?: string;
  q?: string;
}

export interface IncidentFilter {
  /** Statuses, or `open` for the three that are not resolved. */
  status?: string[];
  severity?: string[];
  /** `name=value` label matchers. */
  label?: string[];
  assignee?: string;
  q?: string;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}
