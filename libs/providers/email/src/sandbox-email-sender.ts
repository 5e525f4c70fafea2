import { randomUUID } from 'node:crypto';
import type { Database } from '@recoup/db';
import type { EmailSender, OutboundEmail, SentEmail } from './email-sender.port';

/**
 * Records the email in sandbox_messages instead of sending it. The unique idempotency key is the
 * provider-side deduplication: a repeated send returns the first record and writes no second row.
 */
export class SandboxEmailSender implements EmailSender {
  readonly provider = 'sandbox';

  constructor(
    private readonly db: Database,
    private readonly from = 'sandbox@recoup.local',
  ) {}

  async send(email: OutboundEmail): Promise<SentEmail> {
    const providerMessageId = `sandbox-email-${randomUUID()}`;
    const metadata = JSON.stringify({ html: email.html, custom_args: email.customArgs, categories: email.categories ?? [] });
    // One statement, no transaction: this runs once per message on the worker's hot path.
    const inserted = await this.db.$queryRaw<Array<{ provider_message_id: string }>>`
      INSERT INTO sandbox_messages (id, channel, provider, idempotency_key, provider_message_id, to_address, from_address, subject, body, metadata)
      VALUES (gen_random_uuid(), 'email', ${this.provider}, ${email.idempotencyKey}, ${providerMessageId}, ${email.to}, ${this.from}, ${email.subject}, ${email.text}, ${metadata}::jsonb)
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING provider_message_id`;
    const count = inserted.length;
    if (count === 1) return { provider: this.provider, providerMessageId, costPence: 0, replayed: false };
    const first = await this.db.sandboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: email.idempotencyKey },
      select: { providerMessageId: true },
    });
    return { provider: this.provider, providerMessageId: first.providerMessageId, costPence: 0, replayed: true };
  }
}
