import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import type { IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import { SendGridEventWebhook } from '@recoup/providers/email';
import { applyEmailEvent } from './contact-events';

export interface SendGridEventsOptions {
  db: Database;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY; without it every delivery is refused (unsigned events are never trusted). */
  publicKey?: string;
}

/**
 * POST /webhooks/sendgrid/events, through the email adapter's SendGridEventWebhook: the signature
 * (over the exact bytes) checked first, then the batch parsed into our delivery events. Each event
 * is processed once (idempotency key sg_event_id); a batch with a failing event answers 500 so
 * SendGrid redelivers it, and the events already done are skipped on the second delivery.
 */
export function sendgridEventsRouter(o: SendGridEventsOptions): Router {
  const router = express.Router();
  const sendgrid = new SendGridEventWebhook(o.publicKey);
  router.post('/webhooks/sendgrid/events', sendgrid.verifySignature, async (req: Request, res: Response, next) => {
    try {
      const parsed = sendgrid.parseEventBody(req.body);
      if (!parsed.success) {
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'body is not a SendGrid event batch',
          request_id: req.id,
          errors: fieldErrors('body', parsed.error.issues),
        });
      }
      let recorded = 0;
      let duplicates = 0;
      for (const event of parsed.data) {
        const result = await o.idempotency.run('sendgrid-event', event.eventId, async () => {
          const ok = await applyEmailEvent(o, event);
          return { status: 200, body: ok ? 'recorded' : 'ignored' };
        });
        if ('processing' in result) throw new Error(`event ${event.eventId} is being processed elsewhere`);
        if (result.replayed) duplicates += 1;
        else if (result.outcome.body === 'recorded') recorded += 1;
      }
      res.status(200).json({ received: parsed.data.length, recorded, duplicates });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
