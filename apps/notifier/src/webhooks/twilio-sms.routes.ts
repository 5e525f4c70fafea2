import type { NextFunction, Request, Response, Router } from 'express';
import express from 'express';
import type { z } from 'zod';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { TwilioSmsWebhooks } from '@recoup/providers/sms';
import { applySmsStatus } from './contact-events';
import { handleInboundSms } from './inbound-intent';

export interface TwilioSmsOptions {
  db: Database;
  idempotency: IdempotencyStore;
  logger: Logger;
  email: EmailSender;
  /** TWILIO_AUTH_TOKEN: without it every callback is refused (signatures cannot be checked). */
  authToken?: string;
  /** The origin Twilio was given (NOTIFIER_PUBLIC_URL): Twilio signs that URL. */
  publicBaseUrl: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** 400 naming the bad parameter when a signed body is not what Twilio sends. */
function parsed<T>(result: z.ZodSafeParseResult<T>, req: Request, res: Response): T | undefined {
  if (result.success) return result.data;
  sendProblem(res, {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'invalid Twilio webhook parameters',
    request_id: req.id,
    errors: fieldErrors('body', result.error.issues),
  });
  return undefined;
}

/**
 * Twilio SMS status callbacks and inbound SMS, through the SMS adapter's TwilioSmsWebhooks: the
 * signature verified against the public URL (403 otherwise), Twilio's retries deduplicated on signed
 * data (status: SID + status; inbound: the signed request), the body parsed into our terms.
 */
export function twilioSmsRouter(o: TwilioSmsOptions): Router {
  const router = express.Router();
  const twilio = new TwilioSmsWebhooks({ authToken: o.authToken, publicBaseUrl: o.publicBaseUrl });
  const dedupe = (provider: string) => webhookIdempotency({ store: o.idempotency, provider, eventId: (req) => twilio.eventKey(req) });

  router.post(
    '/webhooks/twilio/sms-status',
    twilio.verifySignature,
    dedupe('twilio-sms-status'),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const cb = parsed(twilio.parseStatusCallback(req.body), req, res);
        if (!cb) return;
        const hinted = typeof req.query.attempt === 'string' && UUID.test(req.query.attempt) ? req.query.attempt : undefined;
        await applySmsStatus(o.db, cb, hinted);
        res.status(204).end();
      } catch (err) {
        next(err);
      }
    },
  );

  router.post(
    '/webhooks/twilio/sms-inbound',
    twilio.verifySignature,
    dedupe('twilio-sms-inbound'),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const msg = parsed(twilio.parseInbound(req.body), req, res);
        if (!msg) return;
        await handleInboundSms(o, msg);
        res.type('text/xml').send(EMPTY_TWIML);
      } catch (err) {
        next(err);
      }
    },
  );
  return router;
}
