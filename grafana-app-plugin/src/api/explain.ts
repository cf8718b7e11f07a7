import type { components } from './openapi.gen';

/** POST /slow-queries/{id}/explain: the plan as text, as a tree, and the database's own JSON. */
export type ExplainResult = components['schemas']['ExplainResult'];
export type PlanNode = components['schemas']['PlanNode'];
