/**
 * What a middleware adds to the documentation of every route it guards: its security requirement, the
 * request headers it reads, whether it rate-limits. Auth, idempotency and rate-limit middlewares mark
 * themselves with `documentMiddleware`, so a route only lists them in `before` and its OpenAPI operation
 * gets the scheme, the Idempotency-Key header and the 429 with RateLimit headers without repeating them.
 *
 * The key is a global symbol (`Symbol.for`), so libraries below libs/http (auth, idempotency, rate-limit)
 * can mark their middleware without importing this module.
 */
export const OPENAPI_MIDDLEWARE_DOC = Symbol.for('recoup.openapi.middleware');

/** Security schemes every document may reference (components.securitySchemes keeps the ones used). */
export type SecuritySchemeName =
  'bearerAuth' | 'apiKey' | 'basicAuth' | 'twilioSignature' | 'stripeSignature' | 'sendgridSignature' | 'stannpSignature';

export type SecurityRequirement = Partial<Record<SecuritySchemeName, string[]>>;

export interface MiddlewareDoc {
  /** Alternatives: any one of these requirements is enough. */
  security?: SecurityRequirement[];
  /** The route honours `Idempotency-Key` (Stripe semantics: same key and body answer with the first result). */
  idempotencyKey?: boolean;
  /** The route spends a rate limit: 2xx carry RateLimit / RateLimit-Policy, 429 carries Retry-After. */
  rateLimited?: boolean;
}

export function documentMiddleware<T extends object>(middleware: T, doc: MiddlewareDoc): T {
  const existing = (middleware as { [OPENAPI_MIDDLEWARE_DOC]?: MiddlewareDoc })[OPENAPI_MIDDLEWARE_DOC];
  Object.defineProperty(middleware, OPENAPI_MIDDLEWARE_DOC, { value: { ...existing, ...doc }, enumerable: false, configurable: true });
  return middleware;
}

/** The merged documentation of a route's middlewares (security: the first middleware that names one wins). */
export function middlewareDoc(middlewares: readonly unknown[] | undefined): MiddlewareDoc {
  const merged: MiddlewareDoc = {};
  for (const m of (middlewares ?? []).flat(Infinity as 1)) {
    const doc: MiddlewareDoc | undefined = m ? (m as { [OPENAPI_MIDDLEWARE_DOC]?: MiddlewareDoc })[OPENAPI_MIDDLEWARE_DOC] : undefined;
    if (!doc) continue;
    if (doc.security && !merged.security) merged.security = doc.security;
    if (doc.idempotencyKey) merged.idempotencyKey = true;
    if (doc.rateLimited) merged.rateLimited = true;
  }
  return merged;
}
