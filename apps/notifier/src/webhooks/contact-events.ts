import { recordDeliveryEvent, stopContactChannels, type DeliveryEventInput, type DeliveryEventType } from '@recoup/collections';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { EmailDeliveryEvent } from '@recoup/providers/email';
import type { LetterStatusEvent } from '@recoup/providers/letters';
import type { SmsStatusEvent } from '@recoup/providers/sms';

export type ContactEventType = DeliveryEventType;
export type ContactEventInput = DeliveryEventInput;

/** What the webhooks need: the database and a logger (the core's deps, without a queue producer). */
export interface WebhookDeps {
  db: Database;
  logger?: Logger;
}

/**
 * Records a provider event on its contact attempt through the collections core (one ContactEvent row, the
 * milestone times, the status moved forward only; see recordDeliveryEvent). false: no such attempt.
 */
export function recordContactEvent(db: Database, e: ContactEventInput): Promise<boolean> {
  return recordDeliveryEvent(db, e);
}

/**
 * One SendGrid event, parsed by the email adapter: recorded on its attempt (found by our custom_args, else by the
 * X-Message-Id). An unsubscribe or spam report is the debtor asking not to be emailed (CONC 7.9): email is stopped
 * for them and their queued emails are cancelled, in the core's one transaction. false: not ours to record.
 */
export async function applyEmailEvent(deps: WebhookDeps, event: EmailDeliveryEvent): Promise<boolean> {
  const { db } = deps;
  const { type } = event;
  if (!type) return false;
  let attemptId = event.contactAttemptId;
  if (!attemptId && event.messageId) {
    const row = await db.contactAttempt.findFirst({
      where: { provider: 'sendgrid', providerMessageId: event.messageId },
      select: { id: true },
    });
    attemptId = row?.id;
  }
  if (!attemptId) return false;
  const ok = await recordDeliveryEvent(db, {
    contactAttemptId: attemptId,
    type,
    provider: 'sendgrid',
    occurredAt: event.occurredAt,
    payload: {
      event: event.providerEvent,
      sg_event_id: event.eventId,
      reason: event.reason ?? null,
      bounce_type: event.bounceType ?? null,
    },
    failureReason: event.failureReason,
  });
  if (ok && (type === 'unsubscribed' || type === 'spam_report')) {
    const attempt = await db.contactAttempt.findUnique({ where: { id: attemptId }, select: { tenantId: true, clientId: true } });
    if (attempt)
      await stopContactChannels(deps, {
        tenantId: attempt.tenantId,
        clientId: attempt.clientId,
        channels: ['email'],
        reason: type === 'unsubscribed' ? 'the debtor unsubscribed from email' : 'the debtor reported an email as spam',
        actor: 'debtor:email',
      });
  }
  return ok;
}

/**
 * One Twilio SMS status callback, parsed by the SMS adapter: recorded on the attempt the callback URL names (while
 * the worker has not yet recorded the message id), else on the attempt with this message id.
 */
export async function applySmsStatus(db: Database, cb: SmsStatusEvent, hintedAttemptId: string | undefined): Promise<boolean> {
  if (!cb.type) return false;
  const attempt = await db.contactAttempt.findFirst({
    where: hintedAttemptId
      ? { id: hintedAttemptId, channel: 'sms', OR: [{ providerMessageId: cb.messageId }, { providerMessageId: null }] }
      : { channel: 'sms', providerMessageId: cb.messageId },
    select: { id: true },
  });
  if (!attempt) return false;
  return recordDeliveryEvent(db, {
    contactAttemptId: attempt.id,
    type: cb.type,
    provider: 'twilio',
    occurredAt: new Date(),
    payload: { message_sid: cb.messageId, status: cb.providerStatus, error_code: cb.errorCode ?? null },
    failureReason: cb.failureReason,
  });
}

/**
 * One Stannp status of a posted letter, parsed by the letters adapter: recorded on the attempt with this letter id
 * (handed to Royal Mail → sent, delivered, returned to sender → bounced, cancelled → failed). false: not ours.
 */
export async function applyLetterEvent(db: Database, event: LetterStatusEvent): Promise<boolean> {
  if (!event.type) return false;
  const attempt = await db.contactAttempt.findFirst({
    where: { channel: 'letter', provider: 'stannp', providerMessageId: event.providerMessageId },
    select: { id: true },
  });
  if (!attempt) return false;
  return recordDeliveryEvent(db, {
    contactAttemptId: attempt.id,
    type: event.type,
    provider: 'stannp',
    occurredAt: event.occurredAt,
    payload: { status: event.providerStatus, tracking_reference: event.trackingReference ?? null },
    failureReason: event.type === 'bounced' ? 'returned to sender' : event.type === 'failed' ? `letter ${event.providerStatus}` : undefined,
  });
}
