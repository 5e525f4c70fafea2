import { z } from 'zod';
import { ProblemDetails } from '@recoup/contracts';
import type { AnyRouteSpec } from './routes';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonSchema = Record<string, unknown>;

/** Converts a zod schema to JSON Schema 2020-12 (OpenAPI 3.1's dialect), hoisting named schemas into components. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const { $schema: _ignored, $defs, ...rest } = json as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const rewrite = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, '"#/components/schemas/$1"')) as JsonSchema;
  for (const [name, def] of Object.entries($defs ?? {})) components[name] = rewrite(def);
  const id = (rest as { id?: string }).id;
  if (id) {
    delete (rest as { id?: string }).id;
    components[id] = rewrite(rest);
    return { $ref: `#/components/schemas/${id}` };
  }
  return rewrite(rest);
}

function parameters(part: 'query' | 'path', schema: z.ZodType | undefined, components: Record<string, JsonSchema>) {
  if (!schema) return [];
  const json = toSchema(schema, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[]; $ref?: string };
  const resolved = json.$ref ? (components[json.$ref.slice('#/components/schemas/'.length)] as typeof json) : json;
  return Object.entries(resolved.properties ?? {}).map(([name, prop]) => ({
    name,
    in: part,
    required: part === 'path' || (resolved.required ?? []).includes(name),
    schema: prop,
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
  }));
}

export function buildOpenApiDocument(info: OpenApiInfo, routes: AnyRouteSpec[]): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};
  const problemRef = toSchema(ProblemDetails, 'output', components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { [spec.contentType ?? 'application/json']: { schema: toSchema(spec.schema, 'output', components) } } }
          : {}),
      };
    }
    if (route.request && (route.request.body || route.request.query || route.request.params)) {
      responses['400'] ??= {
        description: 'Invalid request; `errors` names each failing field',
        content: { 'application/problem+json': { schema: problemRef } },
      };
    }
    responses['default'] = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problemRef } } };
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.operationId ? { operationId: route.operationId } : {}),
      tags: route.tags ?? [],
      ...(route.security ? { security: route.security } : {}),
      parameters: [...parameters('path', route.request?.params, components), ...parameters('query', route.request?.query, components)],
      ...(route.request?.body
        ? {
            requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.request.body, 'input', components) } } },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
  };
}
