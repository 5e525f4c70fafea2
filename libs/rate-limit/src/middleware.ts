import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { documentMiddleware, sendProblem } from '@recoup/http';
import type { RateLimiter, TenantLimits, WindowState } from './limiter';

export interface ApiRateLimitOptions {
  limiter: RateLimiter;
  /**
   * The caller's tenant and limits (from authentication, or looked up: see TenantLimitsDirectory); requests without one
   * pass unlimited. A throw (say, a tenant that no longer exists) goes to the error handler.
   */
  tenant: (req: Request) => TenantLimits | undefined | Promise<TenantLimits | undefined>;
}

const WINDOW_SECONDS = { monthly: 2_592_000, daily: 86_400, hourly: 3_600 } as const;

/**
 * RateLimit-Policy / RateLimit headers as structured fields (IETF draft
 * draft-ietf-httpapi-ratelimit-headers): q = quota, w = window seconds, r = remaining,
 * t = seconds until the quota resets.
 */
function headers(res: Response, windows: WindowState[], nowMs: number): void {
  if (windows.length === 0) return;
  res.setHeader('RateLimit-Policy', windows.map((w) => `"${w.window}";q=${w.limit};w=${WINDOW_SECONDS[w.window]}`).join(', '));
  res.setHeader(
    'RateLimit',
    windows.map((w) => `"${w.window}";r=${w.remaining};t=${Math.max(Math.ceil((w.resetAt.getTime() - nowMs) / 1000), 0)}`).join(', '),
  );
}

/** Counts every request against the tenant's `api_calls` limits; 429 problem+json with Retry-After when over. */
export function apiRateLimit(options: ApiRateLimitOptions): RequestHandler {
  const limit: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const tenant = await options.tenant(req);
      if (!tenant) return next();
      const decision = await options.limiter.consume(tenant, 'api_call');
      headers(res, decision.allowed ? decision.windows : decision.denied ? [decision.denied] : [], options.limiter.now());
      if (decision.allowed) return next();
      if (decision.retryAfterSeconds) res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      const d = decision.denied;
      return sendProblem(res, {
        type: 'https://recoup.dev/problems/rate-limited',
        title: 'Too Many Requests',
        status: 429,
        detail: d
          ? `The ${d.window} limit of ${d.limit} ${d.counter.replace('_', ' ')} is used up; it resets at ${d.resetAt.toISOString()}`
          : 'Rate limiter unavailable',
        request_id: req.id,
      });
    } catch (err) {
      return next(err);
    }
  };
  return documentMiddleware(limit, { rateLimited: true });
}
