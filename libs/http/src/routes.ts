import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { SecurityRequirement } from './openapi-doc';
import { HttpProblem, fieldErrors } from './problem';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnySchema = z.ZodType;
type Infer<S> = S extends AnySchema ? z.infer<S> : undefined;

export interface RouteRequest<B, Q, P> {
  body?: B;
  /** Defaults to application/json; Twilio's webhooks post application/x-www-form-urlencoded. */
  bodyContentType?: string;
  query?: Q;
  params?: P;
}

export interface RouteResponseSpec {
  description: string;
  schema?: AnySchema;
  contentType?: string;
  /** Response headers beyond X-Request-Id and the rate-limit ones (which come from the middleware). */
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

/** Examples for the OpenAPI document; what a route omits is made from its schemas. */
export interface RouteExamples {
  request?: unknown;
  /** By status code. */
  responses?: Record<string, unknown>;
}

export interface RouteSpec<B extends AnySchema | undefined, Q extends AnySchema | undefined, P extends AnySchema | undefined> {
  method: Method;
  /** Express path syntax (`/api/invoices/:invoice_id`); documented as `{invoice_id}`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Defaults to method + path (`getInvoicesByInvoiceId`); name it when a client reads better with another. */
  operationId?: string;
  /** Defaults to the security its `before` middlewares declare (documentMiddleware). */
  security?: SecurityRequirement[];
  example?: RouteExamples;
  /** Documents a sub-application served beneath this path (the queue board): its own routes are not listed. */
  mount?: boolean;
  request?: RouteRequest<B, Q, P>;
  responses: Record<number, RouteResponseSpec>;
  /** Middleware that runs before validation (authentication, rate limiting). */
  before?: RequestHandler[];
  handler: (input: { body: Infer<B>; query: Infer<Q>; params: Infer<P> }, req: Request, res: Response) => unknown | Promise<unknown>;
}

export type AnyRouteSpec = RouteSpec<AnySchema | undefined, AnySchema | undefined, AnySchema | undefined>;

/** A route served by plain Express (a webhook router, a mounted UI) that the document must still describe. */
export type DocumentedRoute = Omit<AnyRouteSpec, 'handler'>;

/**
 * An Express router whose routes carry their zod schemas: the same schema validates the
 * request, types the handler and documents the route in /openapi.json.
 */
export class ApiRouter {
  readonly router = Router();
  readonly routes: AnyRouteSpec[] = [];

  route<
    B extends AnySchema | undefined = undefined,
    Q extends AnySchema | undefined = undefined,
    P extends AnySchema | undefined = undefined,
  >(spec: RouteSpec<B, Q, P>): this {
    this.routes.push(spec as unknown as AnyRouteSpec);
    const validate = async (req: Request, res: Response, next: NextFunction) => {
      try {
        const errors = [];
        const input: Record<string, unknown> = {};
        for (const part of ['params', 'query', 'body'] as const) {
          const schema = spec.request?.[part] as AnySchema | undefined;
          if (!schema) continue;
          const raw = part === 'body' ? (req.body ?? {}) : req[part];
          const parsed = await schema.safeParseAsync(raw);
          if (parsed.success) input[part] = parsed.data;
          else errors.push(...fieldErrors(part, parsed.error.issues));
        }
        if (errors.length > 0) {
          throw HttpProblem.badRequest(
            `${errors.length} invalid field${errors.length > 1 ? 's' : ''}: ${errors.map((e) => e.field).join(', ')}`,
            errors,
          );
        }
        await spec.handler(input as never, req, res);
      } catch (err) {
        next(err);
      }
    };
    this.router[spec.method](spec.path, ...(spec.before ?? []), validate);
    return this;
  }

  /**
   * Documents a route this router does not serve (mounted with plain Express elsewhere, e.g. a webhook
   * router or the queue board): the service contract test fails for a mounted route left undocumented.
   */
  document(spec: DocumentedRoute): this {
    this.routes.push({ ...spec, handler: () => undefined });
    return this;
  }
}

interface StackLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/**
 * Every method + path an Express app serves (nested routers included), in OpenAPI path syntax
 * (`/api/invoices/{invoice_id}`): the service contract compares it with the document.
 */
export function mountedRoutes(app: { router?: { stack?: StackLayer[] } }): Array<{ method: string; path: string }> {
  const found: Array<{ method: string; path: string }> = [];
  const walk = (stack: StackLayer[] | undefined, prefix: string) => {
    for (const layer of stack ?? []) {
      const raw = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      if (layer.route && typeof layer.route.path === 'string') {
        const path = (prefix + layer.route.path).replace(/\/$/, '') || '/';
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') found.push({ method, path: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, raw === '/' ? prefix : prefix + raw);
      }
    }
  };
  walk(app.router?.stack, '');
  return found;
}
