import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { LetterStatusEvent } from './letter-delivery';

/** Stannp's header carrying the HMAC-SHA256 of the raw body under the webhook's secret. */
export const STANNP_SIGNATURE_HEADER = 'x-stannp-signature';

const Mailpiece = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  status: z.string(),
  tracking_reference: z.string().optional(),
});

/** Stannp's webhook body (https://www.stannp.com/uk/direct-mail-api/webhooks): a batch of objects per event. */
export const StannpWebhookBody = z.looseObject({
  webhook_id: z.union([z.string(), z.number()]),
  event: z.string(),
  created: z.string(),
  mailpieces: z.array(Mailpiece).optional(),
});
export type StannpWebhookBody = z.infer<typeof StannpWebhookBody>;

/** Stannp's mailpiece statuses → our delivery events (undefined: a status we keep but do not act on). */
const STATUS: Record<string, LetterStatusEvent['type']> = {
  received: 'processed',
  producing: 'processed',
  printed: 'processed',
  handed_over: 'sent',
  dispatched: 'sent',
  local_delivery: 'sent',
  delivered: 'delivered',
  returned: 'bounced',
  cancelled: 'failed',
};

export function letterEventType(stannpStatus: string): LetterStatusEvent['type'] {
  return STATUS[stannpStatus.toLowerCase()];
}

/** The signature Stannp sends for this body: hex HMAC-SHA256 over the exact bytes. */
export function signStannpWebhook(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Stannp's signed webhook, owned by the letters adapter: the signature is checked over the exact bytes in constant
 * time before anything is parsed (no secret configured → every delivery is refused: unsigned events are never trusted).
 */
export class StannpWebhook {
  constructor(private readonly secret: string | undefined) {}

  verify(rawBody: Buffer | undefined, signature: string | undefined): boolean {
    if (!this.secret || !rawBody || !signature) return false;
    const expected = Buffer.from(signStannpWebhook(rawBody, this.secret), 'hex');
    const given = Buffer.from(signature.trim().toLowerCase(), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The batch as our events; `test_url` (Stannp's validation request) has none. */
  parse(body: unknown): { success: true; events: LetterStatusEvent[]; event: string } | { success: false; error: z.ZodError } {
    const parsed = StannpWebhookBody.safeParse(body);
    if (!parsed.success) return { success: false, error: parsed.error };
    const occurredAt = parseStannpTime(parsed.data.created);
    const events = (parsed.data.mailpieces ?? []).map((m) => ({
      providerMessageId: m.id,
      type: letterEventType(m.status),
      providerStatus: m.status,
      occurredAt,
      trackingReference: m.tracking_reference,
    }));
    return { success: true, events, event: parsed.data.event };
  }
}

/** Stannp writes "2024-01-15 10:30:00" (UTC, no zone) or ISO 8601; anything unreadable is now. */
function parseStannpTime(value: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
