import { z } from 'zod';
import { AUTH_ERRORS, ErrorBody, operation } from '../contract/operation';

/** The service's own routes: its root, metrics, probes, and GET /api/v1/status and /whoami. */

export const ServiceStatus = z
  .object({
    version: z.string(),
    startedAt: z.iso.datetime(),
    uptimeSeconds: z.number().int(),
    store: z.object({ kind: z.enum(['sqlite', 'postgres']), schemaVersion: z.number().int() }),
  })
  .meta({ id: 'ServiceStatus' });

export const WhoAmI = z
  .object({
    name: z.string(),
    scopes: z.array(z.string()),
    userHeader: z.string().describe('The request header naming the acting user (incidents.userHeader)'),
    user: z
      .string()
      .nullable()
      .describe(
        "The acting user from that header (Grafana sends X-Grafana-User only with [dataproxy] send_user_header), or null: incident actions are then recorded under the token's name",
      ),
  })
  .meta({ id: 'WhoAmI' });

export type ServiceStatusBody = z.input<typeof ServiceStatus>;
export type WhoAmIBody = z.input<typeof WhoAmI>;

export const Liveness = z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' });
export const Readiness = z
  .object({ status: z.literal('ready'), store: z.enum(['sqlite', 'postgres']) })
  .meta({ id: 'Readiness' });

const metricsText = {
  description: 'Prometheus text exposition format',
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
};

export const serviceOperations = [
  operation({
    method: 'get',
    path: '/',
    mount: '/',
    operationId: 'landingPage',
    scope: 'none',
    summary: 'A page linking the metrics, probes and this description',
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  }),
  operation({
    method: 'get',
    path: '/metrics',
    mount: '/',
    operationId: 'metrics',
    scope: 'none',
    summary: 'Application, process and system metrics',
    responses: { 200: metricsText },
  }),
  operation({
    method: 'get',
    path: '/metrics/node',
    mount: '/',
    operationId: 'nodeMetrics',
    scope: 'none',
    summary:
      'System metrics only, with node_exporter names (scrape as job="node"; absent with server.systemMetrics off)',
    responses: { 200: metricsText },
  }),
  operation({
    method: 'get',
    path: '/healthz',
    mount: '/',
    operationId: 'liveness',
    scope: 'none',
    summary: 'Liveness: the process answers',
    responses: { 200: { description: 'Alive', schema: Liveness } },
  }),
  operation({
    method: 'get',
    path: '/readyz',
    mount: '/',
    operationId: 'readiness',
    scope: 'none',
    summary: 'Readiness: the store answers',
    responses: {
      200: { description: 'Ready', schema: Readiness },
      503: { description: 'The store is unreachable (code store_unreachable)', schema: ErrorBody },
    },
  }),
  operation({
    method: 'get',
    path: '/status',
    operationId: 'getStatus',
    scope: 'read',
    summary: 'Version, uptime and store state',
    responses: { 200: { description: 'Service status', schema: ServiceStatus }, ...AUTH_ERRORS },
  }),
  operation({
    method: 'get',
    path: '/whoami',
    operationId: 'whoami',
    scope: 'any token',
    summary: 'The name and scopes of the calling token',
    responses: { 200: { description: 'Token identity', schema: WhoAmI }, 401: 'Unauthorized' },
  }),
];
