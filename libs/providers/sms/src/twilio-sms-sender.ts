// The shared Twilio client (loopback rebasing, error mapping) is built for every Twilio-backed provider; the
// provider-to-provider boundary rule does not foresee a shared vendor client, hence the one exception.
import { createTwilioClient, describeTwilioError, type TwilioClient, type TwilioCredentials } from '@recoup/providers/twilio';
import { DeliveryError, kindOfStatus } from './delivery-error';
import { SMS_SEGMENT_COST_PENCE, estimateSegments, type OutboundSms, type SentSms, type SmsSender } from './sms-sender.port';

export interface TwilioSmsOptions extends TwilioCredentials {
  from: string;
}

/**
 * Twilio error codes that no retry fixes: the number is invalid, not a mobile, unreachable by
 * SMS, or has opted out (21610: the recipient replied STOP to this sender).
 * https://www.twilio.com/docs/api/errors
 */
export const PERMANENT_TWILIO_CODES = new Set([21211, 21214, 21408, 21610, 21612, 21614, 21617, 21635, 30003, 30004, 30005, 30006, 30007]);

/** Twilio Programmable Messaging through the official SDK (base URL rebased onto a fake in tests). */
export class TwilioSmsSender implements SmsSender {
  readonly provider = 'twilio';
  private readonly client: TwilioClient;

  constructor(private readonly options: TwilioSmsOptions) {
    this.client = createTwilioClient(options);
  }

  async send(sms: OutboundSms): Promise<SentSms> {
    try {
      const message = await this.client.messages.create({
        to: sms.to,
        from: this.options.from,
        body: sms.body,
        ...(sms.statusCallbackUrl ? { statusCallback: sms.statusCallbackUrl } : {}),
      });
      return {
        provider: this.provider,
        providerMessageId: message.sid,
        costPence: SMS_SEGMENT_COST_PENCE * estimateSegments(sms.body),
        replayed: false,
      };
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  /**
   * Twilio keeps no key of ours, so the question is asked by content: the latest messages from our
   * number to this one, created since the send began, with exactly this body.
   */
  async findSent(sms: OutboundSms, since: Date): Promise<SentSms | null> {
    try {
      const recent = await this.client.messages.list({ to: sms.to, from: this.options.from, limit: 20 });
      // Allow for clock skew between us and Twilio.
      const match = recent.find((m) => m.body === sms.body && m.dateCreated && m.dateCreated.getTime() >= since.getTime() - 60_000);
      return match
        ? {
            provider: this.provider,
            providerMessageId: match.sid,
            costPence: SMS_SEGMENT_COST_PENCE * estimateSegments(sms.body),
            replayed: true,
          }
        : null;
    } catch (err) {
      throw toDeliveryError(err);
    }
  }
}

export function toDeliveryError(err: unknown): DeliveryError {
  const e = describeTwilioError(err);
  const kind = e.code !== undefined && PERMANENT_TWILIO_CODES.has(e.code) ? 'permanent' : kindOfStatus(e.status);
  return new DeliveryError(
    `twilio${e.status ? ` answered ${e.status}` : ' unreachable'}${e.code ? ` (${e.code})` : ''}: ${e.message}`,
    kind,
    {
      status: e.status,
      code: e.code !== undefined ? String(e.code) : undefined,
      retryAfterMs: e.retryAfterMs,
    },
  );
}
