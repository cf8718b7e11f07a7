import type { ApiOperation } from '../contract/operation';
import { healthOperations } from '../health/api-schemas';
import { incidentOperations } from '../incidents/api-schemas';
import { ingestOperations } from '../ingest/api-schemas';
import { slowQueryOperations } from '../queries/api-schemas';
import { serviceOperations } from '../server/api-schemas';
import { slaOperations } from '../sla/api-schemas';

/**
 * Every route the service mounts, as the contract states it, in the order openapi.yaml lists them.
 * A new route adds its operation to its feature's api-schemas.ts and that list here; the openapi test
 * fails on a mounted route missing from this list.
 */
export const API_OPERATIONS: readonly ApiOperation[] = [
  ...serviceOperations,
  ...slowQueryOperations,
  ...ingestOperations,
  ...healthOperations,
  ...incidentOperations,
  ...slaOperations,
];
