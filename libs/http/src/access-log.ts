import { randomUUID } from 'node:crypto';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger, ServiceMetrics } from '@recoup/observability';
import { sendProblem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's logger (its lines carry `requestId`); made on first use. */
    log: Logger;
  }
}

export interface RequestObserverOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Most requests in progress at once; beyond it 503 + Retry-After at once (paths in `unobserved` are exempt). */
  maxInFlight: number;
  /** Rewrites a path before it is logged, for paths whose segments are credentials (`/p/<token>` → `/p/[redacted]`). */
  redactUrl?: (url: string) => string;
  /** Paths neither logged nor counted against maxInFlight (probes and scrapes). */
  unobserved: ReadonlySet<string>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request its logger lazily: most requests never log a line of their own, and a pino child per request
 * cost the hot route more than its database read.
 */
export function installRequestLogger(app: Express, logger: Logger): void {
  const cache = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = cache.get(this);
      if (!child) {
        child = logger.child({ requestId: this.id });
        cache.set(this, child);
      }
      return child;
    },
  });
}

type Bound = { duration: { observe(value: number): void }; total: { inc(): void } };

/**
 * One middleware, one listener per request for what every request needs: its id (X-Request-Id, taken from the caller
 * when well formed), the in-flight limit, the HTTP metrics and one access-log line when it ends. The line holds what an
 * operator reads — method, route template, path (redacted, no query string: it may hold personal data), status,
 * duration, request id and tenant — and never headers or bodies (issue 21: lines averaged 1.4 KB with full headers).
 * 5xx log at error, 4xx at warn, the rest at info.
 */
export function requestObserver(options: RequestObserverOptions): RequestHandler {
  const { logger, metrics, maxInFlight, redactUrl, unobserved } = options;
  const bound = new Map<string, Bound>();
  const labelled = (method: string, route: string, status: string): Bound => {
    const key = `${method} ${status} ${route}`;
    let b = bound.get(key);
    if (!b) {
      const labels = { method, route, status };
      b = { duration: metrics.httpRequestDuration.labels(labels), total: metrics.httpRequestsTotal.labels(labels) };
      // Route templates bound the label space; unmatched paths all share 'unmatched'.
      if (bound.size < 10_000) bound.set(key, b);
    }
    return b;
  };
  let inFlight = 0;

  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = performance.now();
    const observed = !unobserved.has(req.path);
    if (observed) {
      if (inFlight >= maxInFlight) {
        return sendProblem(
          res,
          {
            type: 'https://recoup.dev/problems/overloaded',
            title: 'Service Unavailable',
            status: 503,
            detail: 'Too many requests in progress; retry shortly',
            request_id: req.id,
          },
          { 'Retry-After': '1' },
        );
      }
      inFlight++;
    }
    // 'close' follows 'finish' on a completed response and also ends an aborted one: one listener covers both.
    res.once('close', () => {
      if (observed) inFlight--;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const status = res.statusCode;
      const seconds = (performance.now() - started) / 1000;
      const b = labelled(req.method, route, String(status));
      b.duration.observe(seconds);
      b.total.inc();
      if (!observed) return;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const path = req.originalUrl.split('?', 1)[0] ?? '';
      const tenantId =
        (req as { tenant?: { id?: string } }).tenant?.id ?? (req as { auth?: { tenantId?: string } }).auth?.tenantId ?? undefined;
      logger[level](
        {
          method: req.method,
          route,
          path: redactUrl ? redactUrl(path) : path,
          status,
          duration_ms: Math.round(seconds * 1e4) / 10,
          request_id: req.id,
          ...(tenantId ? { tenant_id: tenantId } : {}),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}
