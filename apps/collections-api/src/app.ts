import cors from 'cors';
import type { Express } from 'express';
import { requireAuth } from '@recoup/auth';
import { ApiRouter, createHttpApp } from '@recoup/http';
import { adminRouter } from './admin/admin.routes';
import { clientsRouter } from './clients/clients.routes';
import { connectionsRouter } from './connections/connections.routes';
import { collectionsRouter } from './collections/collections.routes';
import { dataRightsRouter } from './data-rights/data-rights.routes';
import { SERVICE } from './config';
import type { Deps } from './deps';
import { securityHeaders } from './http/security-headers';
import { tenantGuards } from './http/tenant-context';
import { invoicesRouter, prefetchInvoice } from './invoices/invoices.routes';
import { retentionRouter } from './data-rights/retention.routes';
import { outboxRouter } from './outbox/outbox.routes';
import { paymentsRouter } from './payments/payments.routes';
import { debtorLinksRouter } from './public/debtor-links.routes';
import { LinkGuards, redactDebtorLinkUrl } from './public/link-guards';
import { sandboxPayRouter } from './public/sandbox-pay.routes';
import { twilioForwardRouter } from './twilio/twilio-forward.routes';

/** Security headers and CORS for every API route: the first router, so they run before any route matches. */
function edgeRouter(corsOrigins: string): ApiRouter {
  const origins = corsOrigins
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const edge = new ApiRouter();
  edge.router.use(
    securityHeaders({
      // The sandbox pay page posts a form to itself and styles itself inline.
      contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'form-action': ["'self'"] } },
    }),
    cors({
      origin: origins.includes('*') ? true : origins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Tenant-Id'],
      exposedHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Idempotent-Replayed', 'Location'],
      maxAge: 600,
    }),
  );
  return edge;
}

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  const { db, config } = deps;
  const guardOptions = { authenticator: deps.authenticator, tenants: deps.tenants, limiter: deps.limiter };
  const guards = tenantGuards(guardOptions);
  const readGuards = tenantGuards(guardOptions, [prefetchInvoice(deps.invoices)]);
  const adminGuard = requireAuth({ authenticator: deps.authenticator, roles: ['admin'] });
  const linkGuards = new LinkGuards({
    redis: deps.redis,
    prefix: config.QUEUE_PREFIX,
    allowedOrigins: [config.COLLECTIONS_API_PUBLIC_URL, ...(config.NOTIFIER_LINK_BASE_URL ? [config.NOTIFIER_LINK_BASE_URL] : [])],
    logger: deps.logger,
  });
  return createHttpApp({
    service: SERVICE,
    description:
      'The gateway the frontend calls: tenants, invoices, strategy, escalation, payments, payment plans and metrics. Authenticate with `Authorization: Bearer <tenant API key or JWT>` (or `X-API-Key: <tenant API key>`); admin routes take the operator key.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.HTTP_BODY_LIMIT,
    maxInFlight: config.HTTP_MAX_IN_FLIGHT,
    redactUrl: redactDebtorLinkUrl,
    health: deps.health,
    healthTimeoutMs: config.HEALTH_TIMEOUT_MS,
    routers: [
      edgeRouter(config.CORS_ORIGINS),
      adminRouter({
        db,
        adminGuard,
        authenticator: deps.authenticator,
        tenants: deps.tenants,
        producer: deps.producer,
        scanQueue: deps.scheduler.queue,
      }),
      clientsRouter({ db, guards, producer: deps.producer, logger: deps.logger }),
      dataRightsRouter({
        collections: deps.collections,
        authenticator: deps.authenticator,
        guards,
        recordingVault: deps.recordingVault,
        recordings: deps.callRecordings,
      }),
      invoicesRouter({
        db,
        guards,
        readGuards,
        invoices: deps.invoices,
        collections: deps.collections,
        scheduler: deps.scheduler,
        paymentLinks: deps.paymentLinks,
        logger: deps.logger,
      }),
      collectionsRouter({
        db,
        guards,
        invoices: deps.invoices,
        strategy: deps.strategy,
        escalation: deps.escalation,
        plans: deps.plans,
        idempotency: deps.idempotency,
        pipeline: deps.pipeline,
      }),
      paymentsRouter({
        db,
        events: deps.paymentEvents,
        idempotency: deps.idempotency,
        webhookSecret: config.STRIPE_WEBHOOK_SECRET,
        stripeMode: deps.stripeMode,
      }),
      retentionRouter({ db, guards, adminGuard, runner: deps.retention.runner }),
      outboxRouter({ db, guards }),
      connectionsRouter({ connections: deps.accounting.connections, collections: deps.collections, guards }),
      debtorLinksRouter({ db, paymentLinks: deps.paymentLinks, producer: deps.producer, logger: deps.logger, guards: linkGuards }),
      sandboxPayRouter({
        db,
        guards: linkGuards,
        stripeMode: deps.stripeMode,
        webhookSecret: config.STRIPE_WEBHOOK_SECRET,
        applyPaymentEvent: (event, body) => deps.paymentEvents.handle(event, body),
      }),
      twilioForwardRouter({
        voiceAgentUrl: config.VOICE_AGENT_URL,
        publicBaseUrl: config.COLLECTIONS_API_PUBLIC_URL,
        internalToken: config.INTERNAL_API_TOKEN,
        logger: deps.logger,
      }),
    ],
  });
}
