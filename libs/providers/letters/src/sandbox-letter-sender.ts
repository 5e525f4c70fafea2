import { randomUUID } from 'node:crypto';
import type { Database } from '@recoup/db';
import { renderLetterPdf, addressBlock } from './letter-pdf.renderer';
import { LETTER_COST_PENCE, type LetterSender, type OutboundLetter, type PostedLetter } from './letter-sender.port';

/**
 * Renders the PDF and keeps it in sandbox_messages.document instead of posting it; a repeated key
 * returns the first record without rendering again.
 */
export class SandboxLetterSender implements LetterSender {
  readonly provider = 'sandbox';

  constructor(private readonly db: Database) {}

  async send(letter: OutboundLetter): Promise<PostedLetter> {
    const existing = await this.db.sandboxMessage.findUnique({
      where: { idempotencyKey: letter.idempotencyKey },
      select: { providerMessageId: true, metadata: true },
    });
    if (existing)
      return {
        provider: this.provider,
        providerMessageId: existing.providerMessageId,
        costPence: LETTER_COST_PENCE,
        pages: pagesOf(existing.metadata),
        replayed: true,
      };
    const { pdf, pages } = await renderLetterPdf(letter.recipientName, letter.address, letter.content);
    const providerMessageId = `sandbox-letter-${randomUUID()}`;
    const { count } = await this.db.sandboxMessage.createMany({
      data: [
        {
          channel: 'letter',
          provider: this.provider,
          idempotencyKey: letter.idempotencyKey,
          providerMessageId,
          toAddress: addressBlock(letter.recipientName, letter.address).join('\n'),
          fromAddress: [letter.content.sender.name, ...letter.content.sender.addressLines].join('\n'),
          subject: letter.content.subject,
          body: [letter.content.greeting, ...letter.content.paragraphs].join('\n\n'),
          document: new Uint8Array(pdf),
          metadata: { pages, bytes: pdf.length },
        },
      ],
      skipDuplicates: true,
    });
    if (count === 1) return { provider: this.provider, providerMessageId, costPence: LETTER_COST_PENCE, pages, replayed: false };
    const first = await this.db.sandboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: letter.idempotencyKey },
      select: { providerMessageId: true },
    });
    return { provider: this.provider, providerMessageId: first.providerMessageId, costPence: LETTER_COST_PENCE, pages, replayed: true };
  }
}

function pagesOf(metadata: unknown): number {
  const pages = (metadata as { pages?: unknown } | null)?.pages;
  return typeof pages === 'number' ? pages : 1;
}
