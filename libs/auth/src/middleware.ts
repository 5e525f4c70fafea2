import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '@recoup/db';
import { HttpProblem, documentMiddleware, sendProblem } from '@recoup/http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyService, looksLikeApiKey, type ApiKeyServiceOptions } from './api-keys';
import { JwtVerifier, looksLikeJwt, type JwtOptions } from './jwt';

/** Who is calling: the operator (ADMIN_API_KEY) or a tenant's user or server. */
export type AuthContext =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; role: string; via: 'api_key'; keyId: string }
  | { kind: 'tenant'; tenantId: string; role: string; via: 'jwt'; subject: string };

export type TenantAuth = Extract<AuthContext, { kind: 'tenant' }>;
export type AuthKind = AuthContext['kind'];

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requireAuth. */
    auth?: AuthContext;
  }
}

export interface AuthenticatorOptions {
  db: Database;
  /** The operator's key; unset disables admin access. */
  adminApiKey?: string;
  /** Bearer JWTs (Firebase ID tokens and the like); unset disables JWT auth. */
  jwt?: JwtOptions;
  keys?: ApiKeyServiceOptions;
}

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Resolves an `Authorization: Bearer ...` header to an AuthContext. */
export class Authenticator {
  readonly keys: ApiKeyService;
  private readonly jwt?: JwtVerifier;
  private readonly adminDigest?: Buffer;

  constructor(options: AuthenticatorOptions) {
    this.keys = new ApiKeyService(options.db, options.keys);
    this.jwt = options.jwt ? new JwtVerifier(options.jwt) : undefined;
    this.adminDigest = options.adminApiKey ? createHash('sha256').update(options.adminApiKey).digest() : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<AuthContext> {
    if (!authorization) throw new AuthError(401, 'Authorization: Bearer <key or token> is required');
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new AuthError(401, 'Authorization must use the Bearer scheme');
    const token = match[1];
    // One SHA-256 of the presented secret serves both the constant-time admin comparison and the key lookup.
    const digest = createHash('sha256').update(token).digest();
    if (this.adminDigest && timingSafeEqual(digest, this.adminDigest)) return { kind: 'admin' };
    if (looksLikeApiKey(token)) {
      const key = await this.keys.verifyHash(digest.toString('hex'));
      if (!key) throw new AuthError(401, 'Unknown or revoked API key');
      return { kind: 'tenant', tenantId: key.tenantId, role: key.role, via: 'api_key', keyId: key.id };
    }
    if (this.jwt && looksLikeJwt(token)) {
      let verified;
      try {
        verified = await this.jwt.verify(token);
      } catch (err) {
        throw new AuthError(401, `Invalid token: ${err instanceof Error ? err.message : 'verification failed'}`);
      }
      if (!verified.tenantId) throw new AuthError(403, 'Token has no tenant_id claim');
      return { kind: 'tenant', tenantId: verified.tenantId, role: verified.role ?? 'member', via: 'jwt', subject: verified.subject };
    }
    throw new AuthError(401, 'Invalid credentials');
  }
}

export interface RequireAuthOptions extends Partial<AuthenticatorOptions> {
  /** Share one authenticator (and its key cache) between routes; otherwise one is made from db/adminApiKey/jwt. */
  authenticator?: Authenticator;
  /** Who may pass; default tenants only. */
  roles?: AuthKind[];
}

/**
 * Express middleware: authenticates the bearer credential (or X-API-Key), sets `req.auth`, and answers 401
 * (no or bad credential, with WWW-Authenticate) or 403 (valid but not allowed here) as problem+json.
 */
export function requireAuth(options: RequireAuthOptions): RequestHandler {
  const authenticator =
    options.authenticator ??
    (() => {
      if (!options.db) throw new Error('requireAuth needs db or authenticator');
      return new Authenticator({ db: options.db, adminApiKey: options.adminApiKey, jwt: options.jwt, keys: options.keys });
    })();
  const roles = options.roles ?? ['tenant'];
  const authenticate: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    try {
      // X-API-Key is accepted as well (the platform's documented header for server-to-server calls).
      const apiKey = req.get('x-api-key');
      const auth = await authenticator.authenticate(req.get('authorization') ?? (apiKey ? `Bearer ${apiKey}` : undefined));
      if (!roles.includes(auth.kind)) {
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: `This route is for ${roles.join(' or ')} credentials`,
          request_id: req.id,
        });
      }
      req.auth = auth;
      return next();
    } catch (err) {
      if (err instanceof AuthError) {
        const headers: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="recoup"' } : {};
        return sendProblem(
          res,
          {
            type: 'about:blank',
            title: err.status === 401 ? 'Unauthorized' : 'Forbidden',
            status: err.status,
            detail: err.message,
            request_id: req.id,
          },
          headers,
        );
      }
      return next(err);
    }
  };
  return documentMiddleware(authenticate, { security: [{ bearerAuth: [] }, { apiKey: [] }] });
}

/** The tenant of an authenticated tenant request (throws if requireAuth did not run with tenant roles). */
export function tenantOf(req: Request): TenantAuth {
  const auth = req.auth;
  if (auth?.kind !== 'tenant') throw HttpProblem.forbidden('A tenant credential is required');
  return auth;
}
