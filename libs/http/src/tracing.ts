import type { RequestHandler } from 'express';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { extractTraceContext, startSpan, withTraceContext } from '@recoup/observability';

/**
 * A SERVER span per request, continuing the caller's W3C traceparent; named by the route template once it is known
 * (`POST /api/collections/escalate`). Installed by createHttpApp only when tracing is on.
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    const started = startSpan(
      `${req.method}`,
      SpanKind.SERVER,
      { 'http.request.method': req.method, 'url.path': req.path, 'recoup.request_id': req.id },
      extractTraceContext(req.headers),
    );
    if (!started) return next();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        started.span.updateName(`${req.method} ${route}`);
        started.span.setAttribute('http.route', route);
      }
      started.span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) started.span.setStatus({ code: SpanStatusCode.ERROR });
      started.span.end();
    });
    withTraceContext(started.ctx, next);
  };
}
