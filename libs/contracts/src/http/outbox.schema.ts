import { z } from 'zod';
import { Uuid } from './common.schema';

/**
 * The sandbox outbox on the gateway: what the platform "sent" for a tenant (emails, SMS, letters
 * recorded by the sandbox adapters) and the AI calls it placed, newest first.
 */
export const OutboxKind = z.enum(['email', 'sms', 'letter', 'ai_call']).meta({ id: 'OutboxKind' });
export type OutboxKind = z.infer<typeof OutboxKind>;

export const ListOutboxQuery = z
  .object({
    invoice_id: Uuid.optional(),
    kind: OutboxKind.optional(),
    /** Opaque cursor from the previous page's next_cursor. */
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();
export type ListOutboxQuery = z.infer<typeof ListOutboxQuery>;

export const OutboxCallTurn = z.object({ speaker: z.enum(['ai', 'user']), text: z.string() });

export const OutboxItem = z
  .object({
    /** sandbox_messages.id for a message, calls.id for an AI call. */
    id: Uuid,
    kind: OutboxKind,
    sent_at: z.string(),
    invoice_id: Uuid.nullable(),
    invoice_reference: z.string().nullable(),
    client_id: Uuid,
    client_name: z.string().nullable(),
    contact_attempt_id: Uuid.nullable(),
    /** The contact attempt's status (delivered, opened, failed...) or the call's. */
    status: z.string().nullable(),
    to: z.string().nullable(),
    from: z.string().nullable(),
    subject: z.string().nullable(),
    /** The plain text (email text part, SMS body, letter body). */
    text: z.string().nullable(),
    /** An email's rendered HTML: show it in a sandboxed iframe, never inline. */
    html: z.string().nullable(),
    sms_segments: z.number().int().nullable(),
    letter_pages: z.number().int().nullable(),
    /** GET this (same auth) for a letter's PDF. */
    document_url: z.string().nullable(),
    cost_pence: z.number().int(),
    call: z
      .object({
        outcome: z.string().nullable(),
        duration_seconds: z.number().int().nullable(),
        /** Withheld (null) when the call is sensitive or its transcript was removed by retention/erasure. */
        transcript: z.array(OutboxCallTurn).nullable(),
        transcript_withheld: z.boolean(),
      })
      .nullable(),
  })
  .meta({ id: 'OutboxItem' });
export type OutboxItem = z.infer<typeof OutboxItem>;

export const OutboxResponse = z.object({ data: z.array(OutboxItem), next_cursor: z.string().nullable() }).meta({ id: 'OutboxPage' });
export type OutboxResponse = z.infer<typeof OutboxResponse>;

export const OutboxItemParams = z.object({ id: Uuid }).strict();
