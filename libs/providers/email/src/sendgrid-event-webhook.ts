import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { sendProblem } from '@recoup/http';
import type { DeliveryEventType } from './delivery-event';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, SendGridEventVerifier } from './sendgrid-event-signature';

/** SendGrid's event names we act on (others, such as `group_resubscribe`, are acknowledged and ignored). */
const EVENT_TYPE: Partial<Record<string, DeliveryEventType>> = {
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

/** One event of SendGrid's event webhook, in our terms. */
export interface EmailDeliveryEvent {
  /** sg_event_id: SendGrid's id of this event, the same on a redelivery. */
  eventId: string;
  /** Undefined for an event we do not act on. */
  type?: DeliveryEventType;
  /** SendGrid's event name as sent. */
  providerEvent: string;
  /** The X-Message-Id of the send (sg_message_id without its ".filter..." parts). */
  messageId?: string;
  /** Our contact attempt, from the custom_args of the send (only a well-formed id). */
  contactAttemptId?: string;
  occurredAt: Date;
  reason?: string;
  /** `bounce` or `blocked` on a bounce event. */
  bounceType?: string;
  /** What the attempt records as its failure reason ("bounce: 550 5.1.1 user unknown"). */
  failureReason: string;
}

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
  .loose()
  .transform((e): EmailDeliveryEvent => ({
    eventId: e.sg_event_id,
    type: EVENT_TYPE[e.event],
    providerEvent: e.event,
    ...(e.sg_message_id && { messageId: e.sg_message_id.split('.')[0] ?? '' }),
    ...(e.contact_attempt_id && UUID.test(e.contact_attempt_id) && { contactAttemptId: e.contact_attempt_id }),
    occurredAt: new Date(e.timestamp * 1000),
    ...(e.reason !== undefined && { reason: e.reason }),
    ...(e.type !== undefined && { bounceType: e.type }),
    failureReason: e.reason ? `${e.event}: ${e.reason}` : e.event,
  }));
export const SendGridEventBatch = z.array(SendGridEvent).max(5_000);

/**
 * SendGrid's signed event webhook as one adapter: `verifySignature` (Express middleware, 403
 * problem+json; the signature covers the exact bytes, so it reads req.rawBody) and
 * `parseEventBody` (the batch in our terms, or the zod issues naming the bad field).
 */
export class SendGridEventWebhook {
  readonly verifySignature: RequestHandler;

  /** `publicKey`: SENDGRID_WEBHOOK_PUBLIC_KEY; without it every delivery is refused (unsigned events are never trusted). */
  constructor(publicKey: string | undefined) {
    const verifier = publicKey ? new SendGridEventVerifier(publicKey) : undefined;
    this.verifySignature = (req: Request, res: Response, next: NextFunction) => {
      const refuse = (detail: string) =>
        sendProblem(res, { type: 'about:blank', title: 'Forbidden', status: 403, detail, request_id: req.id });
      if (!verifier) return refuse('SENDGRID_WEBHOOK_PUBLIC_KEY is not configured');
      const raw = req.rawBody ?? Buffer.alloc(0);
      if (!verifier.verify(raw, req.header(SENDGRID_SIGNATURE_HEADER), req.header(SENDGRID_TIMESTAMP_HEADER)))
        return refuse(`${SENDGRID_SIGNATURE_HEADER} is missing or does not match this request`);
      next();
    };
  }

  parseEventBody(body: unknown) {
    return SendGridEventBatch.safeParse(body);
  }
}
