import { z } from 'zod';
import type { DeliveryEventType } from '@recoup/providers/email';
import { TwilioWebhooks } from '@recoup/providers/twilio';

const MessageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i, 'expected a Twilio message SID');

/** Twilio's MessageStatus values (Messaging API, Message resource). */
export const TWILIO_MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
  'receiving',
  'received',
] as const;
export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

/** The statuses we record; the others (queued, sending, ...) are steps we already know about. */
const EVENT_TYPE: Partial<Record<TwilioMessageStatus, DeliveryEventType>> = {
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  read: 'opened',
};

/** An SMS status callback in our terms. */
export interface SmsStatusEvent {
  messageId: string;
  /** Twilio's MessageStatus as sent. */
  providerStatus: TwilioMessageStatus;
  /** Undefined for a status we do not record. */
  type?: DeliveryEventType;
  errorCode?: string;
  /** "undelivered (Twilio error 30005)", or the status alone. */
  failureReason: string;
}

/** A text a debtor sent to our number. */
export interface InboundSms {
  messageId: string;
  from: string;
  to: string;
  body: string;
}

export const TwilioSmsStatusCallback = z
  .object({ MessageSid, MessageStatus: z.enum(TWILIO_MESSAGE_STATUSES), ErrorCode: z.string().optional() })
  .transform((cb): SmsStatusEvent => ({
    messageId: cb.MessageSid,
    providerStatus: cb.MessageStatus,
    type: EVENT_TYPE[cb.MessageStatus],
    ...(cb.ErrorCode && { errorCode: cb.ErrorCode }),
    failureReason: cb.ErrorCode ? `${cb.MessageStatus} (Twilio error ${cb.ErrorCode})` : cb.MessageStatus,
  }));

export const TwilioInboundSms = z
  .object({
    MessageSid,
    From: z.string().min(1).max(40),
    To: z.string().min(1).max(40),
    Body: z.string().max(1600).default(''),
  })
  .transform((m): InboundSms => ({ messageId: m.MessageSid, from: m.From, to: m.To, body: m.Body }));

/**
 * Twilio's SMS webhooks (status callbacks, inbound messages) as one adapter: the signature policy
 * of libs/providers/twilio, the deduplication key made of signed data, and the bodies parsed into
 * our terms (or the zod issues naming the bad parameter).
 */
export class TwilioSmsWebhooks extends TwilioWebhooks {
  parseStatusCallback(body: unknown) {
    return TwilioSmsStatusCallback.safeParse(body ?? {});
  }

  parseInbound(body: unknown) {
    return TwilioInboundSms.safeParse(body ?? {});
  }
}
