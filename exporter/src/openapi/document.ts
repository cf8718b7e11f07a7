import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { z } from 'zod';
import { ERROR_RESPONSES, ErrorBody, type ApiOperation, type OperationResponse } from '../contract/operation';
import { VERSION } from '../version';
import { API_OPERATIONS } from './operations';

/**
 * openapi.yaml from the operations' zod schemas, through zod's own JSON Schema conversion (OpenAPI 3.1
 * uses JSON Schema 2020-12, zod's default target): no second library to keep in step with zod 4. What
 * this file adds is the OpenAPI frame around the schemas: paths, parameters, responses, components.
 */

type Json = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';
const SERVER = 'http://localhost:9470';

const DESCRIPTION = `JSON API of the Perfwatch service, used by the Grafana app plugin, by apps that send events,
and by Alertmanager. Every endpoint under /api/v1 needs \`Authorization: Bearer <token>\`;
a token has scopes: \`read\`, \`write\` (implies read), \`ingest\`, \`alertmanager\`.
Every error is a JSON body \`{ "error": { "code", "message", "details"? } }\`.
The metrics, the probes and the landing page are outside /api/v1 and need no token.
Generated from the zod schemas beside the routes (exporter/src/*/api-schemas.ts): edit those, then
run \`npm run openapi\`.
`;

/** Collects the named schemas (`.meta({ id })`) the operations use, once each. */
class Components {
  readonly schemas: Record<string, Json> = {};

  /** The JSON Schema of `schema` (request side for `input`), named schemas moved to components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    // Transforms (query strings → numbers) have no JSON Schema: their input side is what is sent.
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      override: ({ jsonSchema }) => quiet(jsonSchema),
    }) as Json;
    const { $schema: _schema, $defs, ...rest } = json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) this.add(id, def);
    return relink(rest) as Json;
  }

  private add(id: string, def: Json): void {
    const linked = relink(def) as Json;
    const known = this.schemas[id];
    if (known && !isDeepStrictEqual(known, linked))
      throw new Error(
        `schema id "${id}" stands for two different shapes (a request and a response side?); give one another id`,
      );
    this.schemas[id] = linked;
  }
}

/**
 * Drops what zod states that the format already says: the date-time regex beside `format: date-time`,
 * and the safe-integer bounds of every `.int()`. They would repeat on every field of the document.
 */
function quiet(s: Json): void {
  if (s.format === 'date-time') delete s.pattern;
  if (s.type === 'integer') {
    if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
    if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  }
}

/** zod writes references to `#/$defs/<id>`; in OpenAPI they live under components. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json))
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', COMPONENTS) : relink(v);
  return out;
}

/** An object schema's properties as OpenAPI parameters; an intersection (`a.and(b)`) gives both sides'. */
function parameters(components: Components, schema: z.ZodType, where: 'query' | 'path'): Json[] {
  const json = components.convert(schema, 'input');
  const parts = (json.allOf as Json[] | undefined) ?? [json];
  return parts.flatMap((part) => {
    const required = new Set((part.required as string[] | undefined) ?? []);
    return Object.entries((part.properties ?? {}) as Record<string, Json>).map(([name, s]) => {
      const { description, ...rest } = s;
      return {
        name,
        in: where,
        ...(where === 'path' || required.has(name) ? { required: true } : {}),
        ...(description ? { description } : {}),
        schema: rest,
      };
    });
  });
}

function response(components: Components, r: OperationResponse): Json {
  if (typeof r === 'string') return { $ref: `#/components/responses/${r}` };
  if (!r.schema && !r.contentType) return { description: r.description };
  const media = r.contentType ?? 'application/json';
  return {
    description: r.description,
    content: { [media]: r.schema ? { schema: components.convert(r.schema, 'output') } : {} },
  };
}

function operationObject(components: Components, op: ApiOperation): Json {
  const params = [
    ...(op.params ? parameters(components, op.params, 'path') : []),
    ...(op.query ? parameters(components, op.query, 'query') : []),
    ...(op.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: false,
      description: h.description,
      schema: components.convert(h.schema, 'input'),
    })),
  ];
  const open = op.scope === 'none';
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    'x-scope': op.scope,
    ...(open ? { security: [] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(op.body
      ? {
          requestBody: {
            // Handlers that accept {} read a missing body as {} (`req.body ?? {}`): it may be left out.
            required: !op.body.safeParse({}).success,
            content: { 'application/json': { schema: components.convert(op.body, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, r]) => [status, response(components, r)]),
    ),
  };
}

/** The OpenAPI 3.1 document of `operations`. */
export function openApiDocument(operations: readonly ApiOperation[] = API_OPERATIONS): Json {
  const components = new Components();
  const errorRef = { $ref: components.convert(ErrorBody, 'output').$ref };
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (op.mount === '/') item.servers = [{ url: SERVER }];
    if (item[op.method]) throw new Error(`two operations for ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = operationObject(components, op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Perfwatch API', version: VERSION, description: DESCRIPTION },
    servers: [{ url: `${SERVER}/api/v1` }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: components.schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, description]) => [
          name,
          { description, content: { 'application/json': { schema: errorRef } } },
        ]),
      ),
    },
  };
}

/** openapi.yaml as committed: the document in YAML, under a note that it is generated. */
export function renderOpenApi(operations: readonly ApiOperation[] = API_OPERATIONS): string {
  return (
    '# Generated from exporter/src/*/api-schemas.ts by `npm run openapi`; do not edit by hand.\n' +
    stringify(openApiDocument(operations), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}
