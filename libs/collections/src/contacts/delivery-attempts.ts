import type { Database, Prisma } from '@recoup/db';
import type { Tx } from '../core-deps';

/**
 * The notification worker's writes to its contact attempt, one SQL statement each: every message runs them, and a
 * Prisma model query costs about a millisecond of CPU to compile and map (the notifier bench's profile).
 *
 * The lifecycle they enforce: `queued` → `sending` (claimed just before the provider call) → `sent`. A cancellation
 * (cancelPendingContacts) only touches `queued`, so once a worker has claimed an attempt the row ends `sent` whenever
 * the debtor got the message. A `sending` row a worker left behind (it died around the provider call) is "in doubt":
 * the next run asks the provider before recording anything else.
 */

export interface DeliveryAttemptRow {
  id: string;
  status: string;
  detail: unknown;
}

export interface JobAttempt {
  tenantId: string;
  clientId: string;
  invoiceId: string | null;
  channel: string;
  purpose: string;
  templateId: string;
}

type Db = Database | Tx;

/** The attempt of a job the producer did not record, created `queued`; a concurrent twin's row wins (same job id). */
export async function recordDeliveryAttempt(db: Db, jobId: string, a: JobAttempt): Promise<DeliveryAttemptRow> {
  const inserted = await db.$queryRaw<DeliveryAttemptRow[]>`
    INSERT INTO contact_attempts (id, tenant_id, client_id, invoice_id, channel, purpose, template_id, status, job_id, updated_at)
    VALUES (gen_random_uuid(), ${a.tenantId}::uuid, ${a.clientId}::uuid, ${a.invoiceId}::uuid, ${a.channel}::"Channel", ${a.purpose}, ${a.templateId}, 'queued', ${jobId}, now())
    ON CONFLICT (job_id) DO NOTHING
    RETURNING id::text, status::text, detail`;
  if (inserted[0]) return inserted[0];
  const existing = await db.$queryRaw<
    DeliveryAttemptRow[]
  >`SELECT id::text, status::text, detail FROM contact_attempts WHERE job_id = ${jobId}`;
  if (!existing[0]) throw new Error(`contact attempt for job ${jobId} vanished`);
  return existing[0];
}

/**
 * Claims the attempt for its provider call (`queued` or an in-doubt `sending` → `sending`) and records what the send
 * needs remembered (limits charged, when the send began) in the same statement. false: it was cancelled, blocked or
 * finished first, and must not be sent.
 */
export async function claimDeliveryAttempt(db: Db, attemptId: string, detail: Record<string, unknown>): Promise<boolean> {
  const claimed = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE contact_attempts SET status = 'sending', detail = ${JSON.stringify(detail)}::jsonb, updated_at = now()
    WHERE id = ${attemptId}::uuid AND status IN ('queued', 'sending')
    RETURNING id::text`;
  return claimed.length === 1;
}

export interface DeliverySent {
  provider: string;
  providerMessageId: string;
  costPence: number;
  sentAt: Date;
}

/**
 * The provider accepted the message. A delivery receipt or a bounce may have moved the row on already (a fast
 * webhook beats this write): the status is then kept, but the provider's message id and the send are still recorded.
 * A cancelled or blocked row is never turned into a sent one.
 */
export async function recordDeliverySent(db: Db, attemptId: string, s: DeliverySent): Promise<boolean> {
  const n = await db.$executeRaw`UPDATE contact_attempts
    SET status = CASE WHEN status IN ('queued', 'sending') THEN 'sent'::"ContactStatus" ELSE status END,
        provider = ${s.provider}, provider_message_id = COALESCE(provider_message_id, ${s.providerMessageId}),
        cost_pence = ${s.costPence}, sent_at = COALESCE(sent_at, ${s.sentAt}), scheduled_for = NULL,
        failure_reason = CASE WHEN status IN ('queued', 'sending') THEN NULL ELSE failure_reason END, updated_at = now()
    WHERE id = ${attemptId}::uuid AND status NOT IN ('cancelled', 'blocked')`;
  return n === 1;
}

export interface DeliveryStopped {
  status: 'blocked' | 'cancelled' | 'failed';
  reason: string;
  at: Date;
  /** Replaces the attempt's detail when given. */
  detail?: Record<string, unknown>;
}

/**
 * The message will not be sent (closed invoice, compliance, limits, provider refusal, retries exhausted). From
 * `queued`, or from `sending` once the caller knows the provider does not hold the message.
 */
export async function recordDeliveryStopped(db: Db, attemptId: string, s: DeliveryStopped): Promise<boolean> {
  const detail = s.detail ? JSON.stringify(s.detail) : null;
  const n = await db.$executeRaw`UPDATE contact_attempts
    SET status = ${s.status}::"ContactStatus", failure_reason = ${s.reason.slice(0, 500)}, completed_at = ${s.at},
        scheduled_for = NULL, detail = COALESCE(${detail}::jsonb, detail), updated_at = now()
    WHERE id = ${attemptId}::uuid AND status IN ('queued', 'sending')`;
  return n === 1;
}

export interface DeliveryDelayed {
  until: Date;
  detail: Record<string, unknown>;
  /**
   * The provider answered the last try with an error, so it holds nothing: the claim is released (`sending` →
   * `queued`) and a cancellation can take the attempt again while it waits.
   */
  releaseClaim?: boolean;
}

/** The job waits (contact hours, tier limits, a provider's transient failure) and runs again at `until`. */
export async function recordDeliveryDelayed(db: Db, attemptId: string, d: DeliveryDelayed): Promise<void> {
  const release = d.releaseClaim === true;
  await db.$executeRaw`UPDATE contact_attempts
    SET scheduled_for = ${d.until}, detail = ${JSON.stringify(d.detail)}::jsonb, updated_at = now(),
        status = CASE WHEN ${release} AND status = 'sending' THEN 'queued'::"ContactStatus" ELSE status END
    WHERE id = ${attemptId}::uuid`;
}

export type DeliveryEventType =
  | 'processed'
  | 'sent'
  | 'delivered'
  | 'deferred'
  | 'opened'
  | 'clicked'
  | 'replied'
  | 'bounced'
  | 'failed'
  | 'spam_report'
  | 'unsubscribed';

export interface DeliveryEventInput {
  contactAttemptId: string;
  type: DeliveryEventType;
  provider: string;
  occurredAt: Date;
  payload?: Record<string, unknown>;
  failureReason?: string;
}

/** How far along a message got; a late or repeated event never moves an attempt backwards. */
const PROGRESS: Record<string, number> = { queued: 0, sending: 0, sent: 1, delivered: 2, opened: 3, clicked: 4, replied: 5 };

const STATUS_OF: Partial<Record<DeliveryEventType, 'delivered' | 'opened' | 'clicked' | 'replied' | 'bounced' | 'failed'>> = {
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  replied: 'replied',
  bounced: 'bounced',
  failed: 'failed',
};

const TIMESTAMP_OF: Partial<Record<DeliveryEventType, 'deliveredAt' | 'openedAt' | 'clickedAt' | 'repliedAt'>> = {
  delivered: 'deliveredAt',
  opened: 'openedAt',
  clicked: 'clickedAt',
  replied: 'repliedAt',
};

/**
 * Records a provider event on the contact attempt: one ContactEvent row, the first time of each milestone
 * (delivered, opened, clicked, replied), and the status when it moves forward. A bounce or failure replaces
 * sent/delivered (the message did not reach them); it never replaces an open, click or reply, which prove it did.
 * Callers deduplicate deliveries (libs/idempotency). false: no such attempt.
 */
export async function recordDeliveryEvent(db: Database, e: DeliveryEventInput): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // Row lock: two events of one message (delivered and open arrive together) apply one after the other.
    await tx.$queryRaw`SELECT 1 FROM contact_attempts WHERE id = ${e.contactAttemptId}::uuid FOR UPDATE`;
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
        payload: (e.payload ?? {}) as Prisma.InputJsonValue,
      },
    });
    const data: Prisma.ContactAttemptUpdateInput = {};
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
