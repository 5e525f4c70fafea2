import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import type { IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import { STANNP_SIGNATURE_HEADER, StannpWebhook } from '@recoup/providers/letters';
import { applyLetterEvent } from './contact-events';

export const STANNP_EVENTS_PATH = '/webhooks/stannp/events';

export interface StannpEventsOptions {
  db: Database;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** STANNP_WEBHOOK_SECRET; without it every delivery is refused (unsigned events are never trusted). */
  secret?: string;
}

/**
 * POST /webhooks/stannp/events, through the letters adapter's StannpWebhook: the signature over the exact bytes is
 * checked first (403 problem+json), then the batch parsed into our delivery events, each recorded once on its letter's
 * contact attempt (idempotency key: letter id + status). Stannp's `test_url` validation request is answered 200.
 */
export function stannpEventsRouter(o: StannpEventsOptions): Router {
  const router = express.Router();
  const stannp = new StannpWebhook(o.secret);
  router.post(STANNP_EVENTS_PATH, async (req: Request, res: Response, next) => {
    try {
      if (!o.secret) return forbidden(req, res, 'STANNP_WEBHOOK_SECRET is not configured');
      if (!stannp.verify(req.rawBody, req.header(STANNP_SIGNATURE_HEADER))) {
        return forbidden(req, res, `${STANNP_SIGNATURE_HEADER} is missing or does not match this request`);
      }
      const parsed = stannp.parse(req.body);
      if (!parsed.success) {
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'body is not a Stannp webhook',
          request_id: req.id,
          errors: fieldErrors('body', parsed.error.issues),
        });
      }
      let recorded = 0;
      let duplicates = 0;
      for (const event of parsed.events) {
        const result = await o.idempotency.run('stannp-event', `${event.providerMessageId}:${event.providerStatus}`, async () => {
          const ok = await applyLetterEvent(o.db, event);
          return { status: 200, body: ok ? 'recorded' : 'ignored' };
        });
        if ('processing' in result) throw new Error(`letter ${event.providerMessageId} is being processed elsewhere`);
        if (result.replayed) duplicates += 1;
        else if (result.outcome.body === 'recorded') recorded += 1;
      }
      res.status(200).json({ event: parsed.event, received: parsed.events.length, recorded, duplicates });
    } catch (err) {
      next(err);
    }
  });
  return router;
}

function forbidden(req: Request, res: Response, detail: string) {
  return sendProblem(res, { type: 'about:blank', title: 'Forbidden', status: 403, detail, request_id: req.id });
}
