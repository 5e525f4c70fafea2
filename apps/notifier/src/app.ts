import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { mountQueueBoard } from './admin/queue-board';
import { SERVICE } from './config';
import type { Deps } from './deps';
import { engagementRouter } from './engagement/engagement.routes';
import { sendgridEventsRouter } from './webhooks/sendgrid-events.routes';
import { stannpEventsRouter } from './webhooks/stannp-events.routes';
import { twilioSmsRouter } from './webhooks/twilio-sms.routes';
import { notifierPlainRouteDocs } from './webhooks/webhooks.openapi';

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  const { config, db, idempotency, logger } = deps;
  return createHttpApp({
    service: SERVICE,
    description:
      'BullMQ workers delivering email (SendGrid), SMS (Twilio) and letters; delivery webhooks, inbound SMS, engagement rates, health, metrics and the queue board.',
    logger,
    metrics: deps.metrics,
    bodyLimit: '1mb', // SendGrid batches events, up to about 1 MB per POST
    health: deps.health,
    healthTimeoutMs: config.HEALTH_TIMEOUT_MS,
    routers: [engagementRouter(db, config.ADMIN_API_KEY ?? config.INTERNAL_API_TOKEN), notifierPlainRouteDocs()],
    configure: (app) => {
      app.use(sendgridEventsRouter({ db, idempotency, logger, publicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY }));
      app.use(stannpEventsRouter({ db, idempotency, logger, secret: config.STANNP_WEBHOOK_SECRET }));
      app.use(
        twilioSmsRouter({
          db,
          idempotency,
          logger,
          email: deps.email,
          authToken: config.TWILIO_AUTH_TOKEN,
          publicBaseUrl: config.NOTIFIER_PUBLIC_URL,
        }),
      );
      mountQueueBoard(app, { notifications: deps.notifications, dead: deps.deadLetters.queue }, config.ADMIN_API_KEY);
    },
  });
}
