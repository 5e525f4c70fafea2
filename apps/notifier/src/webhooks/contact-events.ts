import type { Database } from '@recoup/db';

export type ContactEventType =
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'replied'
  | 'bounced'
  | 'failed'
  | 'deferred'
  | 'processed'
  | 'sent'
  | 'unsubscribed'
  | 'spam_report';

/** How far along a message got; a late or repeated event never moves an attempt backwards. */
const PROGRESS: Record<string, number> = { queued: 0, sent: 1, delivered: 2, opened: 3, clicked: 4, replied: 5 };

const STATUS_OF: Partial<Record<ContactEventType, string>> = {
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  replied: 'replied',
  bounced: 'bounced',
  failed: 'failed',
};

const TIMESTAMP_OF: Partial<Record<ContactEventType, 'deliveredAt' | 'openedAt' | 'clickedAt' | 'repliedAt'>> = {
  delivered: 'deliveredAt',
  opened: 'openedAt',
  clicked: 'clickedAt',
  replied: 'repliedAt',
};

export interface ContactEventInput {
  contactAttemptId: string;
  type: ContactEventType;
  provider: string;
  occurredAt: Date;
  payload?: Record<string, unknown>;
  failureReason?: string;
}

/**
 * Records a provider event on the contact attempt: one ContactEvent row, the first time of each
 * milestone (delivered, opened, clicked, replied), and the status when it moves forward. A bounce
 * or failure replaces sent/delivered (the message did not reach them); it never replaces an
 * open, click or reply, which prove it did. Callers deduplicate deliveries (libs/idempotency).
 */
export async function recordContactEvent(db: Database, e: ContactEventInput): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const attempt = await tx.contactAttempt.findUnique({
      where: { id: e.contactAttemptId },
      select: { id: true, status: true, deliveredAt: true, openedAt: true, clickedAt: true, repliedAt: true },
    });
    if (!attempt) return false;
    await tx.contactEvent.create({
      data: {
        contactAttemptId: attempt.id,
        type: e.type,
        provider: e.provider,
        occurredAt: e.occurredAt,
        payload: (e.payload ?? {}) as object,
      },
    });
    const data: Record<string, unknown> = {};
    const stamp = TIMESTAMP_OF[e.type];
    if (stamp && !attempt[stamp]) data[stamp] = e.occurredAt;
    // An open or click implies delivery, even when the delivered event is late or lost.
    if ((e.type === 'opened' || e.type === 'clicked' || e.type === 'replied') && !attempt.deliveredAt && !data.deliveredAt)
      data.deliveredAt = e.occurredAt;
    const next = STATUS_OF[e.type];
    const current = PROGRESS[attempt.status];
    if (next === 'bounced' || next === 'failed') {
      if (current !== undefined && current <= 2) {
        data.status = next;
        data.failureReason = (e.failureReason ?? next).slice(0, 500);
        data.completedAt = e.occurredAt;
      }
    } else if (next && current !== undefined && (PROGRESS[next] ?? 0) > current) {
      data.status = next;
    }
    if (Object.keys(data).length > 0) await tx.contactAttempt.update({ where: { id: attempt.id }, data });
    return true;
  });
}
