import { randomBytes } from 'node:crypto';
import { SandboxOutbox, type Database } from '@recoup/db';
import { DeliveryError } from './delivery-error';
import { SMS_SEGMENT_COST_PENCE, estimateSegments, type OutboundSms, type SentSms, type SmsSender } from './sms-sender.port';

/** Twilio's test number for "invalid number" (21211): lets the sandbox exercise the permanent-failure path. */
export const SANDBOX_INVALID_NUMBER = '+15005550001';

/**
 * Records the SMS in sandbox_messages instead of sending it; a repeated key returns the first
 * record. Message ids look like Twilio's (SM + 32 hex) so status callbacks can be simulated.
 */
export class SandboxSmsSender implements SmsSender {
  readonly provider = 'sandbox';

  private readonly outbox: SandboxOutbox;

  constructor(
    db: Database,
    private readonly from = '+447700900000',
  ) {
    this.outbox = new SandboxOutbox(db);
  }

  async send(sms: OutboundSms): Promise<SentSms> {
    if (sms.to === SANDBOX_INVALID_NUMBER)
      throw new DeliveryError(`the 'To' number ${sms.to} is not a valid phone number`, 'permanent', { status: 400, code: '21211' });
    const costPence = SMS_SEGMENT_COST_PENCE * estimateSegments(sms.body);
    // The outbox writes the sends of one event-loop turn in one statement: this runs once per message on the worker's hot path.
    const recorded = await this.outbox.record({
      channel: 'sms',
      provider: this.provider,
      idempotencyKey: sms.idempotencyKey,
      providerMessageId: `SM${randomBytes(16).toString('hex')}`,
      to: sms.to,
      from: this.from,
      body: sms.body,
      metadata: { status_callback: sms.statusCallbackUrl ?? null, cost_pence: costPence },
    });
    return { provider: this.provider, providerMessageId: recorded.providerMessageId, costPence, replayed: recorded.replayed };
  }
}
