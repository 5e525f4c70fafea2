import { randomBytes } from 'node:crypto';
import type { Database } from '@recoup/db';
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

  constructor(
    private readonly db: Database,
    private readonly from = '+447700900000',
  ) {}

  async send(sms: OutboundSms): Promise<SentSms> {
    if (sms.to === SANDBOX_INVALID_NUMBER)
      throw new DeliveryError(`the 'To' number ${sms.to} is not a valid phone number`, 'permanent', { status: 400, code: '21211' });
    const providerMessageId = `SM${randomBytes(16).toString('hex')}`;
    const costPence = SMS_SEGMENT_COST_PENCE * estimateSegments(sms.body);
    const metadata = JSON.stringify({ status_callback: sms.statusCallbackUrl ?? null, cost_pence: costPence });
    // One statement, no transaction: this runs once per message on the worker's hot path.
    const inserted = await this.db.$queryRaw<Array<{ provider_message_id: string }>>`
      INSERT INTO sandbox_messages (id, channel, provider, idempotency_key, provider_message_id, to_address, from_address, body, metadata)
      VALUES (gen_random_uuid(), 'sms', ${this.provider}, ${sms.idempotencyKey}, ${providerMessageId}, ${sms.to}, ${this.from}, ${sms.body}, ${metadata}::jsonb)
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING provider_message_id`;
    const count = inserted.length;
    if (count === 1) return { provider: this.provider, providerMessageId, costPence, replayed: false };
    const first = await this.db.sandboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: sms.idempotencyKey },
      select: { providerMessageId: true },
    });
    return { provider: this.provider, providerMessageId: first.providerMessageId, costPence, replayed: true };
  }
}
