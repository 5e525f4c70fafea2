import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { HttpProblem, fieldErrors } from './problem';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnySchema = z.ZodType;
type Infer<S> = S extends AnySchema ? z.infer<S> : undefined;

export interface RouteRequest<B, Q, P> {
  body?: B;
  query?: Q;
  params?: P;
}

export interface RouteResponseSpec {
  description: string;
  schema?: AnySchema;
  contentType?: string;
}

export interface RouteSpec<B extends AnySchema | undefined, Q extends AnySchema | undefined, P extends AnySchema | undefined> {
  method: Method;
  /** Express path syntax (`/api/invoices/:invoice_id`); documented as `{invoice_id}`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  request?: RouteRequest<B, Q, P>;
  responses: Record<number, RouteResponseSpec>;
  /** Middleware that runs before validation (authentication, rate limiting). */
  before?: RequestHandler[];
  handler: (input: { body: Infer<B>; query: Infer<Q>; params: Infer<P> }, req: Request, res: Response) => unknown | Promise<unknown>;
}

export type AnyRouteSpec = RouteSpec<AnySchema | undefined, AnySchema | undefined, AnySchema | undefined>;

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
}
