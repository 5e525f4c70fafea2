import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { callsRouter } from './calls/calls.routes';
import { SERVICE } from './config';
import type { Deps } from './deps';
import { voiceWebhookDocs } from './twilio/voice-webhooks.openapi';
import { voiceWebhooksRouter } from './twilio/voice-webhooks.routes';

/** The service's HTTP surface, testable without listening (the media stream attaches to the server in main/tests). */
export function createApp(deps: Deps): Express {
  return createHttpApp({
    service: SERVICE,
    description:
      'AI collection calls: Twilio Media Streams bridged to the OpenAI Realtime API. Internal endpoints take `Authorization: Bearer <INTERNAL_API_TOKEN>`; Twilio webhooks are verified by X-Twilio-Signature.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.HTTP_BODY_LIMIT,
    maxInFlight: deps.config.HTTP_MAX_IN_FLIGHT,
    health: deps.health,
    healthTimeoutMs: deps.config.HEALTH_TIMEOUT_MS,
    routers: [callsRouter(deps.calls, deps.config.INTERNAL_API_TOKEN, deps.idempotency), voiceWebhookDocs()],
    configure: (app) => {
      app.use(
        voiceWebhooksRouter({
          authToken: deps.twilioAuthToken,
          publicBaseUrl: deps.config.PUBLIC_BASE_URL,
          forwardedFrom: [deps.config.COLLECTIONS_API_PUBLIC_URL],
          idempotency: deps.idempotency,
          calls: deps.calls,
          registry: deps.registry,
          gather: deps.gather,
          tools: deps.tools,
          logger: deps.logger,
          voicemail: deps.config.CALL_VOICEMAIL,
          hangup: (sid) => deps.placer.hangup(sid),
          redirect: deps.placer.redirect ? (sid, xml) => deps.placer.redirect?.(sid, xml) ?? Promise.resolve() : undefined,
        }),
      );
    },
  });
}
