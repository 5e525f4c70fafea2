import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { callsRouter } from './calls/calls.routes';
import { voiceRouter } from './calls/voice.routes';
import { SERVICE } from './config';
import { sandboxRouter } from './sandbox/sandbox.routes';
import type { Deps } from './deps';
import { outboundRouter } from './outbound/outbound.routes';

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  return createHttpApp({
    service: SERVICE,
    description: 'Outbound payment-plan calls with Claude intent detection and negotiation.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.HTTP_BODY_LIMIT,
    maxInFlight: deps.config.HTTP_MAX_IN_FLIGHT,
    health: deps.health,
    healthTimeoutMs: deps.config.HEALTH_TIMEOUT_MS,
    routers: [
      voiceRouter({
        service: deps.calls,
        db: deps.db,
        idempotency: deps.idempotency,
        authToken: deps.config.TWILIO_AUTH_TOKEN,
        publicBaseUrl: deps.config.PUBLIC_BASE_URL,
      }),
      callsRouter(deps.repository, deps.events, deps.auth, deps.streams),
      outboundRouter(deps.outbound, deps.auth),
      sandboxRouter({ db: deps.db, auth: deps.auth, phone: deps.sandboxPhone, publicBaseUrl: deps.config.PUBLIC_BASE_URL }),
    ],
  });
}
