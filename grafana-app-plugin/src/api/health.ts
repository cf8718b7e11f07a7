import type { components } from './openapi.gen';

/** GET /health/checks: every configured check with its last outcome. */
export type HealthChecks = components['schemas']['HealthChecks'];
export type HealthCheckResult = components['schemas']['HealthCheckResult'];
