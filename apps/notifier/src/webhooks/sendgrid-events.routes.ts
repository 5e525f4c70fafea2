import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import type { IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, SendGridEventVerifier } from '@recoup/providers/email';
import { recordContactEvent, type ContactEventType } from './contact-events';

/** SendGrid event webhook: a JSON array of events; custom_args come back as top-level fields. */
const SendGridEvent = z
  .object({
    event: z.string(),
    sg_event_id: z.string().min(1),
    sg_message_id: z.string().optional(),
    timestamp: z.number().int(),
    contact_attempt_id: z.string().optional(),
    reason: z.string().optional(),
    type: z.string().optional(),
  })
  .loose();
const SendGridBatch = z.array(SendGridEvent).max(5_000);

const EVENT_TYPE: Record<string, ContactEventType> = {
  processed: 'processed',
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  dropped: 'failed',
  deferred: 'deferred',
  spamreport: 'spam_report',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SendGridEventsOptions {
  db: Database;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY; without it every delivery is refused (unsigned events are never trusted). */
  publicKey?: string;
}

/**
 * POST /webhooks/sendgrid/events. The signature covers the exact bytes, so it is checked on the
 * raw body before parsing. Each event is processed once (idempotency key sg_event_id); a batch
 * with a failing event answers 500 so SendGrid redelivers it, and the events already done are
 * skipped on the second delivery.
 */
export function sendgridEventsRouter(o: SendGridEventsOptions): Router {
  const router = express.Router();
  const verifier = o.publicKey ? new SendGridEventVerifier(o.publicKey) : undefined;
  router.post('/webhooks/sendgrid/events', async (req: Request, res: Response, next) => {
    try {
      if (!verifier)
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'SENDGRID_WEBHOOK_PUBLIC_KEY is not configured',
          request_id: req.id,
        });
      const raw = req.rawBody ?? Buffer.alloc(0);
      if (!verifier.verify(raw, req.header(SENDGRID_SIGNATURE_HEADER), req.header(SENDGRID_TIMESTAMP_HEADER))) {
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: `${SENDGRID_SIGNATURE_HEADER} is missing or does not match this request`,
          request_id: req.id,
        });
      }
      const parsed = SendGridBatch.safeParse(req.body);
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
        const result = await o.idempotency.run('sendgrid-event', event.sg_event_id, async () => {
          const ok = await applyEvent(o.db, event);
          return { status: 200, body: ok ? 'recorded' : 'ignored' };
        });
        if ('processing' in result) throw new Error(`event ${event.sg_event_id} is being processed elsewhere`);
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

async function applyEvent(db: Database, event: z.infer<typeof SendGridEvent>): Promise<boolean> {
  const type = EVENT_TYPE[event.event];
  if (!type) return false;
  let attemptId = event.contact_attempt_id && UUID.test(event.contact_attempt_id) ? event.contact_attempt_id : undefined;
  if (!attemptId && event.sg_message_id) {
    // sg_message_id is the X-Message-Id of the send followed by ".filter..." parts.
    const messageId = event.sg_message_id.split('.')[0] ?? '';
    const row = await db.contactAttempt.findFirst({ where: { provider: 'sendgrid', providerMessageId: messageId }, select: { id: true } });
    attemptId = row?.id;
  }
  if (!attemptId) return false;
  const occurredAt = new Date(event.timestamp * 1000);
  const ok = await recordContactEvent(db, {
    contactAttemptId: attemptId,
    type,
    provider: 'sendgrid',
    occurredAt,
    payload: { event: event.event, sg_event_id: event.sg_event_id, reason: event.reason ?? null, bounce_type: event.type ?? null },
    failureReason: event.reason ? `${event.event}: ${event.reason}` : event.event,
  });
  if (ok && (type === 'unsubscribed' || type === 'spam_report')) {
    // The debtor asked not to be emailed (CONC 7.9): the compliance engine reads stoppedChannels.
    const attempt = await db.contactAttempt.findUnique({ where: { id: attemptId }, select: { clientId: true } });
    if (attempt) await addStoppedChannel(db, attempt.clientId, 'email');
  }
  return ok;
}

/** Adds a channel to the client's stop list once (array_append guarded, in one statement). */
export async function addStoppedChannel(db: Database, clientId: string, channel: 'email' | 'sms'): Promise<boolean> {
  const n =
    await db.$executeRaw`UPDATE clients SET stopped_channels = array_append(stopped_channels, ${channel}::"Channel"), updated_at = now()
    WHERE id = ${clientId}::uuid AND NOT (${channel}::"Channel" = ANY(stopped_channels))`;
  return n > 0;
}

export async function removeStoppedChannel(db: Database, clientId: string, channel: 'email' | 'sms'): Promise<boolean> {
  const n =
    await db.$executeRaw`UPDATE clients SET stopped_channels = array_remove(stopped_channels, ${channel}::"Channel"), updated_at = now()
    WHERE id = ${clientId}::uuid AND ${channel}::"Channel" = ANY(stopped_channels)`;
  return n > 0;
}
