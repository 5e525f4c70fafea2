import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ProblemDetails } from '@recoup/contracts';
import { middlewareDoc, type SecurityRequirement, type SecuritySchemeName } from './openapi-doc';
import { exampleFor } from './openapi-examples';
import type { AnyRouteSpec } from './routes';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type Json = Record<string, unknown>;

const PROBLEM = 'application/problem+json';

const SECURITY_SCHEMES: Record<SecuritySchemeName, Json> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A tenant API key (`rcp_live_…`, `rcp_test_…` in sandbox), a tenant JWT, the operator key (ADMIN_API_KEY) or the services' INTERNAL_API_TOKEN, as the route says.",
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A tenant API key, for server-to-server callers.' },
  basicAuth: {
    type: 'http',
    scheme: 'basic',
    description: 'The operator key (ADMIN_API_KEY) as the password, any user name: lets a browser open the queue board.',
  },
  twilioSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Twilio-Signature',
    description: "Twilio's HMAC-SHA1 of the public URL and the form parameters, keyed with TWILIO_AUTH_TOKEN.",
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: "Stripe's signed timestamp and HMAC-SHA256 of the body (STRIPE_WEBHOOK_SECRET).",
  },
  stannpSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Stannp-Signature',
    description: "Stannp's hex HMAC-SHA256 of the exact body (STANNP_WEBHOOK_SECRET).",
  },
  sendgridSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Twilio-Email-Event-Webhook-Signature',
    description: "SendGrid's ECDSA signature of the timestamp and body (SENDGRID_WEBHOOK_PUBLIC_KEY).",
  },
};

const HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description: 'The request id (echoed when the client sent a valid one); quote it when reporting a problem.',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'Remaining quota of the tightest window (IETF draft-ietf-httpapi-ratelimit-headers), e.g. `"hour";r=998;t=2400`.',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'The windows of the tenant\'s tier, e.g. `"minute";q=60;w=60, "hour";q=1000;w=3600`.',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
};

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same body answers with the first result (`Idempotent-Replayed: true`); the same key with another body is 422.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  example: '5c0f6b1e-2a41-4f3e-9d8c-7b6a5e4d3c2b',
};

const ref = (kind: 'headers' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** `post /api/invoices/{invoice_id}/payments` → `postInvoicesByInvoiceIdPayments` (routes may name their own). */
export function defaultOperationId(method: string, path: string): string {
  const pascal = (s: string) =>
    s
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
  const parts = path
    .split('/')
    .filter((p) => p && p !== 'api')
    .map((p) => (/^[:{]/.test(p) ? `By${pascal(p)}` : pascal(p)));
  return method + (parts.join('') || 'Root');
}

function problemResponse(description: string): ResponseConfig {
  return { description, content: { [PROBLEM]: { schema: ProblemDetails } } };
}

function isSuccess(status: string) {
  return /^2/.test(status);
}

/**
 * The service's OpenAPI 3.1 document, from the zod schemas its routes validate with
 * (@asteasolutions/zod-to-openapi): operation ids, security (from the route or its middlewares),
 * Idempotency-Key and RateLimit headers, problem+json errors and an example for each operation.
 */
export function buildOpenApiDocument(info: OpenApiInfo, routes: AnyRouteSpec[]): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent('headers', name, header);
  const usedSchemes = new Set<SecuritySchemeName>();
  const examples = new Map<string, { request?: unknown; responses: Record<string, unknown> }>();

  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const fromMiddleware = middlewareDoc(route.before);
    const security: SecurityRequirement[] | undefined = route.security ?? fromMiddleware.security;
    for (const requirement of security ?? []) for (const name of Object.keys(requirement)) usedSchemes.add(name as SecuritySchemeName);

    const responses: Record<string, ResponseConfig> = {};
    const successHeaders = {
      'X-Request-Id': ref('headers', 'X-Request-Id'),
      ...(fromMiddleware.rateLimited
        ? { RateLimit: ref('headers', 'RateLimit'), 'RateLimit-Policy': ref('headers', 'RateLimit-Policy') }
        : {}),
    };
    for (const [status, spec] of Object.entries(route.responses)) {
      const problem = !isSuccess(status) && !/^3/.test(status);
      const contentType = spec.contentType ?? (problem ? PROBLEM : 'application/json');
      const schema = spec.schema ?? (problem ? ProblemDetails : undefined);
      const headers: Json = isSuccess(status) ? { ...successHeaders } : {};
      if (status === '429' || status === '503') headers['Retry-After'] = ref('headers', 'Retry-After');
      for (const [name, h] of Object.entries(spec.headers ?? {})) headers[name] = h;
      responses[status] = {
        description: spec.description,
        ...(Object.keys(headers).length ? { headers: headers as ResponseConfig['headers'] } : {}),
        ...(schema ? { content: { [contentType]: { schema } } } : {}),
      };
    }
    const hasInput = route.request && (route.request.body || route.request.query || route.request.params);
    if (hasInput) responses['400'] ??= problemResponse('Invalid request: `errors` names each failing field');
    if (security?.length) responses['401'] ??= problemResponse('Missing or invalid credentials');
    if (fromMiddleware.rateLimited) {
      responses['429'] ??= {
        ...problemResponse("The tenant's rate limit is used up"),
        headers: { 'Retry-After': ref('headers', 'Retry-After'), RateLimit: ref('headers', 'RateLimit') } as ResponseConfig['headers'],
      };
    }
    responses['default'] = problemResponse('Problem details (RFC 9457)');

    const operationId = route.operationId ?? defaultOperationId(route.method, route.path);
    const body = route.request?.body;
    const config: RouteConfig = {
      method: route.method,
      path,
      operationId,
      summary: route.summary,
      description: route.description ?? route.summary,
      tags: route.tags?.length ? route.tags : ['system'],
      ...(security ? { security: security as RouteConfig['security'] } : {}),
      request: {
        ...(route.request?.params ? { params: route.request.params as never } : {}),
        ...(route.request?.query ? { query: route.request.query as never } : {}),
        ...(body
          ? { body: { required: true, content: { [route.request?.bodyContentType ?? 'application/json']: { schema: body } } } }
          : {}),
      },
      responses,
      ...(fromMiddleware.idempotencyKey ? { parameters: [idempotencyKeyParameter as never] } : {}),
      ...(route.mount ? { 'x-recoup-mount': true } : {}),
    };
    registry.registerPath(config);
    examples.set(`${route.method} ${path}`, { request: route.example?.request, responses: route.example?.responses ?? {} });
  }

  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      ...info,
      description: info.description ?? info.title,
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'Recoup maintainers' },
    },
    servers: [{ url: '/', description: 'This service' }],
  }) as unknown as Json & { paths: Record<string, Record<string, Json>>; components: Json & { schemas?: Record<string, Json> } };

  doc.components.securitySchemes = Object.fromEntries([...usedSchemes].sort().map((name) => [name, SECURITY_SCHEMES[name]]));
  const schemas = (doc.components.schemas ?? {}) as Record<string, Json>;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) addExamples(op, examples.get(`${method} ${path}`), schemas);
  }
  // Response headers no operation references (Spectral's oas3-unused-component).
  const text = JSON.stringify(doc.paths);
  const headers = (doc.components.headers ?? {}) as Record<string, Json>;
  for (const name of Object.keys(headers)) if (!text.includes(`"#/components/headers/${name}"`)) delete headers[name];
  // Tags used by operations, listed once with a description (Spectral's operation-tag-defined).
  const tags = new Set<string>();
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item)) for (const t of (op.tags as string[]) ?? []) tags.add(t);
  doc.tags = [...tags].sort().map((name) => ({ name, description: `${name} operations` }));
  return doc;
}

/** Media-type examples: the route's own when it gives them, else made from the schema (see openapi-examples.ts). */
function addExamples(
  op: Json,
  given: { request?: unknown; responses: Record<string, unknown> } | undefined,
  schemas: Record<string, Json>,
) {
  const body = (op.requestBody as { content?: Record<string, Json> } | undefined)?.content;
  for (const media of Object.values(body ?? {})) {
    const example = given?.request ?? exampleFor(media.schema as Json, schemas);
    if (example !== undefined) media.example = example;
  }
  for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, { content?: Record<string, Json> }>)) {
    for (const media of Object.values(response.content ?? {})) {
      const example = given?.responses[status] ?? exampleFor(media.schema as Json, schemas);
      if (example !== undefined) media.example = example;
    }
  }
}
