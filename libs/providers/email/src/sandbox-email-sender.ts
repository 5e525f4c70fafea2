import { randomUUID } from 'node:crypto';
import { SandboxOutbox, type Database } from '@recoup/db';
import type { EmailSender, OutboundEmail, SentEmail } from './email-sender.port';

/**
 * Records the email in sandbox_messages (SandboxOutbox) instead of sending it. The unique idempotency key is the
 * provider-side deduplication: a repeated send returns the first record and writes no second row.
 */
export class SandboxEmailSender implements EmailSender {
  readonly provider = 'sandbox';

  private readonly outbox: SandboxOutbox;

  constructor(
    db: Database,
    private readonly from = 'sandbox@recoup.local',
  ) {
    this.outbox = new SandboxOutbox(db);
  }

  async send(email: OutboundEmail): Promise<SentEmail> {
    // The outbox writes the sends of one event-loop turn in one statement: this runs once per message on the worker's hot path.
    const recorded = await this.outbox.record({
      channel: 'email',
      provider: this.provider,
      idempotencyKey: email.idempotencyKey,
      providerMessageId: `sandbox-email-${randomUUID()}`,
      to: email.to,
      from: this.from,
      subject: email.subject,
      body: email.text,
      metadata: { html: email.html, custom_args: email.customArgs, categories: email.categories ?? [] },
    });
    return { provider: this.provider, providerMessageId: recorded.providerMessageId, costPence: 0, replayed: recorded.replayed };
  }
}
