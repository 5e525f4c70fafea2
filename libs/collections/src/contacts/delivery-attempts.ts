import { hotQuery, type Database, type Prisma } from '@recoup/db';
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
  const [row] = await recordDeliveryAttempts(db, [{ jobId, attempt: a }]);
  if (!row) throw new Error(`contact attempt for job ${jobId} vanished`);
  return row;
}

/**
 * recordDeliveryAttempt for many jobs in one statement (the worker coalesces the jobs of one event-loop turn):
 * the rows in the order of `jobs`, each the new `queued` row or the one its job id already had.
 */
export async function recordDeliveryAttempts(
  db: Db,
  jobs: ReadonlyArray<{ jobId: string; attempt: JobAttempt }>,
): Promise<DeliveryAttemptRow[]> {
  const input = JSON.stringify(
    jobs.map(({ jobId, attempt: a }, ord) => ({
      ord,
      job_id: jobId,
      tenant_id: a.tenantId,
      client_id: a.clientId,
      invoice_id: a.invoiceId,
      channel: a.channel,
      purpose: a.purpose,
      template_id: a.templateId,
    })),
  );
  const rows = await hotQuery<{ job_id: string; id: string | null; status: string | null; detail: unknown }>(
    db,
    'collections.recordDeliveryAttempts',
    `
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS x(ord int, job_id text, tenant_id uuid, client_id uuid, invoice_id uuid, channel text, purpose text, template_id text)
    ), inserted AS (
      INSERT INTO contact_attempts (id, tenant_id, client_id, invoice_id, channel, purpose, template_id, status, job_id, updated_at)
      SELECT gen_random_uuid(), tenant_id, client_id, invoice_id, channel::"Channel", purpose, template_id, 'queued', job_id, now()
        FROM input ORDER BY ord
      ON CONFLICT (job_id) DO NOTHING
      RETURNING id, status, detail, job_id
    )
    SELECT input.job_id, COALESCE(i.id, ca.id)::text AS id, COALESCE(i.status, ca.status)::text AS status,
           CASE WHEN i.id IS NOT NULL THEN i.detail ELSE ca.detail END AS detail
      FROM input
      LEFT JOIN inserted i ON i.job_id = input.job_id
      LEFT JOIN contact_attempts ca ON ca.job_id = input.job_id
     ORDER BY input.ord`,
    [input],
  );
  const out: DeliveryAttemptRow[] = [];
  for (const [k, r] of rows.entries()) {
    const jobId = jobs[k]?.jobId ?? '';
    if (r.id && r.status) {
      out.push({ id: r.id, status: r.status, detail: r.detail });
      continue;
    }
    // Inserted by a concurrent transaction this statement's snapshot does not see: read it now.
    const existing = await db.$queryRaw<
      DeliveryAttemptRow[]
    >`SELECT id::text, status::text, detail FROM contact_attempts WHERE job_id = ${jobId}`;
    if (!existing[0]) throw new Error(`contact attempt for job ${jobId} vanished`);
    out.push(existing[0]);
  }
  return out;
}

/**
 * Claims the attempt for its provider call (`queued` or an in-doubt `sending` → `sending`) and records what the send
 * needs remembered (limits charged, when the send began) in the same statement. false: it was cancelled, blocked or
 * finished first, and must not be sent.
 */
export async function claimDeliveryAttempt(db: Db, attemptId: string, detail: Record<string, unknown>): Promise<boolean> {
  const [claimed] = await claimDeliveryAttempts(db, [{ attemptId, detail }]);
  return claimed === true;
}

/** claimDeliveryAttempt for many attempts in one statement; each row is claimed on its own condition. */
export async function claimDeliveryAttempts(
  db: Db,
  claims: ReadonlyArray<{ attemptId: string; detail: Record<string, unknown> }>,
): Promise<boolean[]> {
  const input = JSON.stringify(claims.map((c) => ({ id: c.attemptId, detail: c.detail })));
  const claimed = await hotQuery<{ id: string }>(
    db,
    'collections.claimDeliveryAttempts',
    `UPDATE contact_attempts ca SET status = 'sending', detail = x.detail, updated_at = now()
      FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, detail jsonb)
     WHERE ca.id = x.id AND ca.status IN ('queued', 'sending')
    RETURNING ca.id::text`,
    [input],
  );
  const ids = new Set(claimed.map((r) => r.id));
  return claims.map((c) => ids.has(c.attemptId));
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
  const [recorded] = await recordDeliveriesSent(db, [{ attemptId, sent: s }]);
  return recorded === true;
}

/** recordDeliverySent for many attempts in one statement. */
export async function recordDeliveriesSent(db: Db, sends: ReadonlyArray<{ attemptId: string; sent: DeliverySent }>): Promise<boolean[]> {
  const input = JSON.stringify(
    sends.map(({ attemptId, sent: s }) => ({
      id: attemptId,
      provider: s.provider,
      provider_message_id: s.providerMessageId,
      cost_pence: s.costPence,
      sent_at: s.sentAt.toISOString(),
    })),
  );
  const updated = await hotQuery<{ id: string }>(
    db,
    'collections.recordDeliveriesSent',
    `UPDATE contact_attempts ca
    SET status = CASE WHEN ca.status IN ('queued', 'sending') THEN 'sent'::"ContactStatus" ELSE ca.status END,
        provider = x.provider, provider_message_id = COALESCE(ca.provider_message_id, x.provider_message_id),
        cost_pence = x.cost_pence, sent_at = COALESCE(ca.sent_at, x.sent_at), scheduled_for = NULL,
        failure_reason = CASE WHEN ca.status IN ('queued', 'sending') THEN NULL ELSE ca.failure_reason END, updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, provider text, provider_message_id text, cost_pence int, sent_at timestamptz)
    WHERE ca.id = x.id AND ca.status NOT IN ('cancelled', 'blocked')
    RETURNING ca.id::text`,
    [input],
  );
  const ids = new Set(updated.map((r) => r.id));
  return sends.map((s) => ids.has(s.attemptId));
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
