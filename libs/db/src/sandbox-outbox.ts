import type { Database } from './client';
import { hotQuery } from './hot-query';
import { TurnBatcher } from './turn-batcher';

/** A message a sandbox provider adapter "sent": one sandbox_messages row per idempotency key. */
export interface SandboxOutboxMessage {
  channel: 'email' | 'sms';
  provider: string;
  idempotencyKey: string;
  providerMessageId: string;
  to: string;
  from: string;
  subject?: string | null;
  body: string;
  metadata: Record<string, unknown>;
}

/** The row the key holds: this message's (replayed false) or the one an earlier send with the same key recorded. */
export interface SandboxOutboxRecord {
  providerMessageId: string;
  replayed: boolean;
}

/**
 * The sandbox email and SMS adapters' outbox: the unique idempotency key is the provider-side deduplication (a
 * repeated send returns the first record and writes no second row). The sends of one event-loop turn are written in
 * one multi-row statement, since a worker runs one per message.
 */
export class SandboxOutbox {
  private readonly batcher: TurnBatcher<SandboxOutboxMessage, SandboxOutboxRecord>;

  constructor(private readonly db: Database) {
    this.batcher = new TurnBatcher((messages) => this.recordMany(messages));
  }

  record(message: SandboxOutboxMessage): Promise<SandboxOutboxRecord> {
    return this.batcher.add(message);
  }

  private async recordMany(messages: SandboxOutboxMessage[]): Promise<SandboxOutboxRecord[]> {
    const input = JSON.stringify(
      messages.map((m, ord) => ({
        ord,
        channel: m.channel,
        provider: m.provider,
        idempotency_key: m.idempotencyKey,
        provider_message_id: m.providerMessageId,
        to_address: m.to,
        from_address: m.from,
        subject: m.subject ?? null,
        body: m.body,
        metadata: m.metadata,
      })),
    );
    // Two sends of one key in the same batch: the first row inserted wins and the second is answered with it.
    const rows = await hotQuery<{ inserted: boolean; first_id: string | null }>(
      this.db,
      'db.sandboxOutbox',
      `WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb)
          AS x(ord int, channel text, provider text, idempotency_key text, provider_message_id text, to_address text,
               from_address text, subject text, body text, metadata jsonb)
      ), inserted AS (
        INSERT INTO sandbox_messages (id, channel, provider, idempotency_key, provider_message_id, to_address, from_address, subject, body, metadata)
        SELECT gen_random_uuid(), channel::"Channel", provider, idempotency_key, provider_message_id, to_address, from_address, subject, body, metadata
          FROM input ORDER BY ord
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING idempotency_key, provider_message_id
      )
      SELECT own.provider_message_id IS NOT NULL AS inserted,
             COALESCE(own.provider_message_id, twin.provider_message_id, earlier.provider_message_id) AS first_id
        FROM input
        LEFT JOIN inserted own ON own.provider_message_id = input.provider_message_id
        LEFT JOIN inserted twin ON twin.idempotency_key = input.idempotency_key
        LEFT JOIN sandbox_messages earlier ON earlier.idempotency_key = input.idempotency_key
       ORDER BY input.ord`,
      [input],
    );
    return Promise.all(
      messages.map(async (m, k) => {
        const r = rows[k];
        if (r?.inserted) return { providerMessageId: m.providerMessageId, replayed: false };
        if (r?.first_id) return { providerMessageId: r.first_id, replayed: true };
        // Recorded by a concurrent statement this one's snapshot does not see: read it now.
        const first = await this.db.sandboxMessage.findUniqueOrThrow({
          where: { idempotencyKey: m.idempotencyKey },
          select: { providerMessageId: true },
        });
        return { providerMessageId: first.providerMessageId, replayed: true };
      }),
    );
  }
}
