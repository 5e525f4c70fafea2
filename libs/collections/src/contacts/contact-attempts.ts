import type { Channel, ContactStatus, Database, Prisma } from '@recoup/db';
import type { Tx } from '../core-deps';

export interface QueuedContact {
  tenantId: string;
  clientId: string;
  invoiceId?: string | null;
  channel: Channel;
  purpose: string;
  templateId?: string | null;
  /** The BullMQ job id: the send's idempotency key. */
  jobId: string;
  scheduledFor?: Date | null;
  detail?: Record<string, unknown>;
}

/**
 * Records a contact about to be queued (the row first, then the job: a job without a row is never sent). The same
 * job id returns the existing row, so a retried producer never records a contact twice.
 */
export async function recordQueuedContact(db: Database | Tx, c: QueuedContact) {
  return db.contactAttempt.upsert({
    where: { jobId: c.jobId },
    update: {},
    create: {
      tenantId: c.tenantId,
      clientId: c.clientId,
      invoiceId: c.invoiceId ?? null,
      channel: c.channel,
      purpose: c.purpose,
      templateId: c.templateId ?? null,
      status: 'queued',
      jobId: c.jobId,
      scheduledFor: c.scheduledFor ?? null,
      detail: (c.detail ?? undefined) as Prisma.InputJsonValue | undefined,
    },
  });
}

/**
 * Claims a queued attempt for its provider call (`queued` → `sending`). false: it was cancelled (or taken) first,
 * and must not be sent. After a successful claim a cancellation can no longer touch it, so the row ends `sent`
 * whenever the debtor got the message.
 */
export async function claimContactForSend(db: Database | Tx, attemptId: string): Promise<boolean> {
  const { count } = await db.contactAttempt.updateMany({
    where: { id: attemptId, status: { in: ['queued', 'sending'] } },
    data: { status: 'sending' },
  });
  return count === 1;
}

export interface ContactOutcome {
  status: ContactStatus;
  provider?: string | null;
  providerMessageId?: string | null;
  costPence?: number;
  sentAt?: Date | null;
  completedAt?: Date | null;
  scheduledFor?: Date | null;
  failureReason?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Moves an attempt on (sent, failed, blocked, answered, completed, ...). `onlyFrom` guards the transition: e.g. a late
 * delivery receipt never turns a `replied` row back to `delivered`. Returns whether the row changed.
 */
export async function recordContactOutcome(
  db: Database | Tx,
  attemptId: string,
  outcome: ContactOutcome,
  onlyFrom?: ContactStatus[],
): Promise<boolean> {
  const { count } = await db.contactAttempt.updateMany({
    where: { id: attemptId, ...(onlyFrom ? { status: { in: onlyFrom } } : {}) },
    data: {
      status: outcome.status,
      ...(outcome.provider !== undefined ? { provider: outcome.provider } : {}),
      ...(outcome.providerMessageId !== undefined ? { providerMessageId: outcome.providerMessageId } : {}),
      ...(outcome.costPence !== undefined ? { costPence: outcome.costPence } : {}),
      ...(outcome.sentAt !== undefined ? { sentAt: outcome.sentAt } : {}),
      ...(outcome.completedAt !== undefined ? { completedAt: outcome.completedAt } : {}),
      ...(outcome.scheduledFor !== undefined ? { scheduledFor: outcome.scheduledFor } : {}),
      ...(outcome.failureReason !== undefined ? { failureReason: outcome.failureReason } : {}),
      ...(outcome.detail !== undefined ? { detail: outcome.detail as Prisma.InputJsonValue } : {}),
    },
  });
  return count === 1;
}
