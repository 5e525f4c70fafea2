import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requireAuth, type Authenticator } from '@recoup/auth';
import { documentMiddleware } from '@recoup/http';

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Who may ask for predictions: the gateway (`Bearer <INTERNAL_API_TOKEN>`), the operator (ADMIN_API_KEY) or a tenant's
 * API key (Bearer or X-API-Key, looked up through the shared Authenticator, so a revoked key is refused here at once).
 * Anything else is 401 problem+json.
 */
export function requireCaller(authenticator: Authenticator, internalToken: string | undefined): RequestHandler {
  const internal = internalToken ? digest(internalToken) : undefined;
  const credential = requireAuth({ authenticator, roles: ['admin', 'tenant'] });
  const check: RequestHandler = (req, res, next) => {
    // The gateway's calls are the hot path: one SHA-256 and a constant-time comparison, no lookup.
    const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    if (internal && bearer && timingSafeEqual(digest(bearer), internal)) return next();
    return credential(req, res, next);
  };
  return documentMiddleware(check, { security: [{ bearerAuth: [] }, { apiKey: [] }] });
}
