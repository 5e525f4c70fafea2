import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { HealthResponse, LivenessResponse } from '@recoup/contracts';
import { requestContext, tracingEnabled, type Logger, type ServiceMetrics } from '@recoup/observability';
import { installRequestLogger, requestObserver } from './access-log';
import { runHealthChecks, type HealthCheck } from './health';
import { Readiness } from './readiness';
import { buildOpenApiDocument } from './openapi';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOfDomainError, sendProblem } from './problem';
import { ApiRouter, type AnyRouteSpec } from './routes';
import { traceRequests } from './tracing';

export interface HttpAppOptions {
  service: string;
  version?: string;
  description?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** express body-parser limit, e.g. "100kb". */
  bodyLimit?: string;
  health: Record<string, HealthCheck>;
  healthTimeoutMs?: number;
  routers?: ApiRouter[];
  /**
   * Most requests in progress at once; beyond it the service sheds load with 503 + Retry-After at
   * once instead of queueing work it cannot finish in time (/health and /metrics are exempt).
   */
  maxInFlight?: number;
  /**
   * Rewrites a URL before it is logged (request URL and Referer): for paths whose segments are credentials, such as
   * the debtor links' tokens (`/p/<token>` → `/p/[redacted]`).
   */
  redactUrl?: (url: string) => string;
  /** Extra setup that needs the bare Express app (e.g. WebSocket upgrade helpers). */
  configure?: (app: Express) => void;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The exact bytes received, kept for webhook signature verification. */
    rawBody?: Buffer;
    id: string;
  }
}

/** Matches an unpaired UTF-16 surrogate: with the `u` flag a valid pair is one code point and never matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** JSON escapes of a surrogate or of NUL, or a percent-encoded NUL: only bodies holding one need the walk. */
const SUSPECT_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\u0000|%00/;

const unstorable = (s: string) => LONE_SURROGATE.test(s) || s.includes('\u0000');

/** The path of the first string (or key) PostgreSQL could not store (unpaired surrogate, NUL), or undefined. */
function findUnstorable(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (!value || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (unstorable(key)) return [...path, key.replace(LONE_SURROGATE, '?').replaceAll('\u0000', '?')];
    const found = findUnstorable(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * JSON may escape a lone surrogate (`"\ud800"`) or NUL (`"\u0000"`), and a form may carry `%00`:
 * PostgreSQL can store neither in text, and would refuse it deep inside a handler (a 500). Refuse
 * it here, naming the field. The raw-text test keeps the walk off the hot path (a 3 MB batch costs
 * one regex scan).
 */
function refuseUnstorableText(req: Request, res: Response, next: NextFunction): void {
  if (!req.rawBody || !SUSPECT_ESCAPE.test(req.rawBody.toString('latin1'))) return next();
  const path = findUnstorable(req.body);
  if (!path) return next();
  const field = ['body', ...path].join('.');
  sendProblem(res, {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'A string in the body holds a character that cannot be stored (NUL or an unpaired surrogate)',
    request_id: req.id,
    errors: [
      {
        field,
        pointer: '/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
        detail: 'NUL or unpaired UTF-16 surrogate',
      },
    ],
  });
}

/** Prisma's "can't reach / lost the database / pool timed out" codes. */
const DB_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const DOWN_MESSAGE =
  /timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|Connection terminated|Can't reach database|terminating connection|Connection is closed|enableOfflineQueue|MaxRetriesPerRequest|the database system is (starting up|shutting down)/i;

/**
 * PostgreSQL or Redis unreachable is not the client's fault and not a bug: answer 503 with
 * Retry-After (duck-typed so this layer needs neither Prisma nor ioredis).
 */
export function isBackingServiceDown(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: { kind?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && DB_UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const kind =
    (e as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }).meta?.driverAdapterError?.cause?.kind ?? e.cause?.kind;
  if (kind === 'DatabaseNotReachable' || kind === 'ConnectionClosed' || kind === 'SocketTimeout') return true;
  return typeof e.message === 'string' && DOWN_MESSAGE.test(e.message);
}

/** Keeps the raw bytes of JSON and form bodies: Stripe, Twilio and SendGrid sign the exact payload. */
const keepRawBody = (req: Request, _res: unknown, buf: Buffer) => {
  req.rawBody = buf;
};

/**
 * The Express 5 app every service is built on: request ids, JSON logs, body limits, zod
 * validation answering RFC 9457 problem+json, /health, /metrics, /openapi.json and /docs.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const { service, logger, metrics } = options;
  const version = options.version ?? process.env.npm_package_version ?? '0.1.0';
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');

  installRequestLogger(app, logger);
  app.use(
    requestObserver({
      logger,
      metrics,
      maxInFlight: options.maxInFlight ?? 1_000,
      redactUrl: options.redactUrl,
      unobserved: new Set(['/health', '/health/ready', '/health/live', '/metrics']),
    }),
  );
  // The request id reaches the jobs this request queues (libs/queue reads it); with tracing on, a SERVER span too.
  app.use((req, _res, next) => requestContext.run(req.id, next));
  if (tracingEnabled()) app.use(traceRequests());
  const limit = options.bodyLimit ?? '100kb';
  app.use(express.json({ limit, verify: keepRawBody, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit, extended: false, verify: keepRawBody }));
  app.use(refuseUnstorableText);

  const routes: AnyRouteSpec[] = [];
  const system = new ApiRouter().route({
    method: 'get',
    path: '/health',
    summary: 'Liveness of the service and its dependencies',
    tags: ['system'],
    responses: {
      200: { description: 'healthy, or degraded (an optional dependency is down)', schema: HealthResponse },
      503: { description: 'unhealthy: a required dependency is down (named in services and checks)', schema: HealthResponse },
    },
    handler: async (_input, _req, res) => {
      const health = await runHealthChecks(service, version, options.health, options.healthTimeoutMs ?? 1000);
      res.status(health.status === 'unhealthy' ? 503 : 200).json(health);
    },
  });
  // Liveness for probes: the event loop answers. It checks no dependency on purpose: a PostgreSQL or Redis outage
  // must take replicas out of rotation (readiness), not restart every pod of the service at once.
  system.route({
    method: 'get',
    path: '/health/live',
    summary: 'Liveness: the process answers (no dependency is checked)',
    tags: ['system'],
    responses: { 200: { description: 'Alive', schema: LivenessResponse } },
    handler: async (_input, _req, res) => {
      res.json({ status: 'ok', service, version, uptime_seconds: Math.round(process.uptime()) });
    },
  });
  const readiness = new Readiness();
  app.locals.readiness = readiness;
  system.route({
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: 503 once the service is draining (SIGTERM) or a dependency is down; probes and load balancers route on it',
    tags: ['system'],
    responses: {
      200: { description: 'Ready for new work', schema: HealthResponse },
      503: { description: 'Draining, or a dependency is down', schema: HealthResponse },
    },
    handler: async (_input, _req, res) => {
      const health = await runHealthChecks(service, version, options.health, options.healthTimeoutMs ?? 1000);
      health.checks.draining = readiness.draining ? 'down' : 'up';
      if (readiness.draining) health.status = 'unhealthy';
      res.status(health.status === 'unhealthy' ? 503 : 200).json(health);
    },
  });
  system.document({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: HTTP, queues, messages, compliance decisions, payments, calls',
    tags: ['system'],
    responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain' } },
    example: { responses: { 200: '# HELP http_requests_total HTTP requests by route template and status\n' } },
  });
  system.document({
    method: 'get',
    path: '/openapi.json',
    summary: "This service's OpenAPI 3.1 document",
    tags: ['system'],
    responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
    example: { responses: { 200: { openapi: '3.1.0' } } },
  });
  const metricsToken = metrics.token ? createHash('sha256').update(metrics.token).digest() : undefined;
  app.get('/metrics', async (req, res) => {
    if (metricsToken) {
      const given = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), metricsToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'Authorization: Bearer <METRICS_TOKEN> is required',
          request_id: req.id,
        });
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  for (const router of [system, ...(options.routers ?? [])]) {
    routes.push(...router.routes);
    app.use(router.router);
  }
  options.configure?.(app);

  const document = buildOpenApiDocument({ title: `Recoup ${service}`, version, description: options.description }, routes);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: `Recoup ${service} API` }),
  );

  app.use((req, res) => {
    sendProblem(res, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `No route for ${req.method} ${req.path}`,
      request_id: req.id,
    });
  });
  app.use(problemHandler(logger));
  return app;
}

function problemHandler(logger: Logger): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    if (res.headersSent) return next(thrown);
    // Domain errors thrown by use cases (libs/collections) reach here unmapped when a route just lets them through.
    const err = problemOfDomainError(thrown);
    if (err instanceof HttpProblem) {
      const { headers, errors, type, ...extra } = err.extra;
      return sendProblem(
        res,
        {
          type: type ?? 'about:blank',
          title: err.title,
          status: err.status,
          detail: err.detail,
          request_id: req.id,
          ...(errors ? { errors } : {}),
          ...extra,
        },
        headers,
      );
    }
    // body-parser errors carry a `type` and an HTTP status: they are the client's fault.
    const parserError = err as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.parse.failed') {
      return sendProblem(res, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'Request body is not valid JSON',
        request_id: req.id,
        errors: [{ field: 'body', pointer: '/', detail: 'malformed JSON' }],
      });
    }
    if (parserError.type === 'entity.too.large') {
      return sendProblem(res, {
        type: 'about:blank',
        title: 'Content Too Large',
        status: 413,
        detail: 'Request body exceeds the size limit',
        request_id: req.id,
      });
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(res, {
        type: 'about:blank',
        title: 'Bad Request',
        status: parserError.status,
        detail: parserError.message ?? 'Bad request',
        request_id: req.id,
      });
    }
    if (isBackingServiceDown(err)) {
      logger.warn({ err: { message: (err as Error).message }, requestId: req.id }, 'backing service unavailable');
      return sendProblem(
        res,
        {
          type: 'https://recoup.dev/problems/service-unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'A backing service (database or queue) is unreachable; retry shortly',
          request_id: req.id,
        },
        { 'Retry-After': '5' },
      );
    }
    logger.error({ err, requestId: req.id }, 'unhandled error');
    return sendProblem(res, {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; quote the request id when reporting it',
      request_id: req.id,
    });
  };
}

export { PROBLEM_CONTENT_TYPE };
