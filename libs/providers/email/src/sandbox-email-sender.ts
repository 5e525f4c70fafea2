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
    const { count } = await this.db.sandboxMessage.createMany({
      data: [
        {
          channel: 'email',
          provider: this.provider,
          idempotencyKey: email.idempotencyKey,
          providerMessageId,
          toAddress: email.to,
          fromAddress: this.from,
          subject: email.subject,
          body: email.text,
          metadata: { html: email.html, custom_args: email.customArgs, categories: email.categories ?? [] },
        },
      ],
      skipDuplicates: true,
    });
    if (count === 1) return { provider: this.provider, providerMessageId, costPence: 0, replayed: false };
    const first = await this.db.sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: email.idempotencyKey }, select: { providerMessageId: true } });
    return { provider: this.provider, providerMessageId: first.providerMessageId, costPence: 0, replayed: true };
  }
}
