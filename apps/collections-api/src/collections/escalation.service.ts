import { createHash, randomUUID } from 'node:crypto';
import type { CollectionStage, ContactPurpose, EscalationAction } from '@recoup/contracts';
import {
  NO_CONTACT_STATUSES,
  recordCollectionContact,
  recordContactOutcome,
  recordPipelineStep,
  type CollectionsDeps,
} from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { ClientModel, ContactAttemptModel, Database, InvoiceModel, InvoiceStatus } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer, QueueName } from '@recoup/queue';
import type { RateLimiter } from '@recoup/rate-limit';
import type { TenantRecord } from '../http/tenant-context';

export interface EscalationRequest {
  tenant: TenantRecord;
  invoice: InvoiceModel;
  client: ClientModel;
  action: EscalationAction;
  stage: CollectionStage;
  actor: string;
  initiatedBy: 'human' | 'automation';
  /** Makes the job id (and so the send) idempotent: the client's Idempotency-Key or the pipeline's stage key. */
  key?: string;
  variables?: Record<string, string>;
}

export interface ComplianceDenial {
  code: string;
  message: string;
  source: string;
}

/** What an escalation did. Callers decide from `outcome`, never from an HTTP status. */
export type EscalationResult =
  | {
      /** queued: a new contact and its job; duplicate: the same key had already queued it (its job re-queued if lost). */
      outcome: 'queued' | 'duplicate';
      jobId: string;
      queue: QueueName;
      contactAttemptId: string;
      scheduledFor: Date;
    }
  /** Paid, disputed, cancelled or written off (NO_CONTACT_STATUSES): nothing to collect. */
  | { outcome: 'not_collectable'; status: InvoiceStatus }
  /** The compliance engine refuses this contact outright (no later time would do). */
  | { outcome: 'refused_by_compliance'; reasons: ComplianceDenial[]; auditId: string }
  /** The tenant's tier has no room for it. */
  | { outcome: 'rate_limited'; message: string; retryAfterSeconds?: number }
  /** The job could not be queued; the attempt is recorded failed and a retry with the same key queues it. */
  | { outcome: 'queue_unavailable' };

export type QueuedEscalation = Extract<EscalationResult, { jobId: string }>;

export function isQueued(result: EscalationResult): result is QueuedEscalation {
  return result.outcome === 'queued' || result.outcome === 'duplicate';
}

/** The contact's job id: per invoice and channel, from the caller's key when there is one (the send's idempotency key). */
export function escalationJobId(tenantId: string, invoiceId: string, action: EscalationAction, key?: string): string {
  const suffix = key ? createHash('sha256').update(`${tenantId}\n${key}`).digest('hex').slice(0, 20) : randomUUID().slice(0, 13);
  return `esc-${invoiceId}-${action}-${suffix}`;
}

/** Why an attempt whose job never reached the queue failed: a retry with the same key re-arms it. */
const NOT_QUEUED = 'job queue unavailable';

/** The stage a manual escalation uses by default, from how far the invoice has gone. */
export function stageForLevel(level: number): CollectionStage {
  return (
    (['friendly_reminder', 'gentle_reminder', 'standard_escalation', 'final_notice'] as const)[Math.min(Math.max(level, 0), 3)] ??
    'final_notice'
  );
}

export function purposeOf(stage: CollectionStage): ContactPurpose {
  if (stage === 'final_notice') return 'final_notice';
  if (stage === 'payment_link') return 'payment_link';
  return 'reminder';
}

/** The purpose a contact on this channel and stage is checked and sent under (an AI call is a reminder call). */
export function contactPurpose(action: EscalationAction, stage: CollectionStage): ContactPurpose {
  return action === 'ai_call' ? 'reminder' : purposeOf(stage);
}

const LEVEL_OF_STAGE: Record<CollectionStage, number> = {
  friendly_reminder: 1,
  gentle_reminder: 1,
  payment_link: 1,
  standard_escalation: 2,
  final_notice: 3,
};

/**
 * Every outbound collection contact goes through here: compliance first (audited), then the
 * tenant's tier limits, then one ContactAttempt row (queued, jobId, scheduledFor) and the job.
 * A contact the rules allow later is queued as a delayed job at the earliest compliant time.
 */
export class EscalationService {
  private readonly core: CollectionsDeps;

  constructor(
    private readonly deps: { db: Database; compliance: ComplianceService; limiter: RateLimiter; producer: JobProducer; logger: Logger },
  ) {
    this.core = { db: deps.db, producer: deps.producer, logger: deps.logger };
  }

  async escalate(req: EscalationRequest): Promise<EscalationResult> {
    const { invoice, client, tenant, action, stage } = req;
    if (NO_CONTACT_STATUSES.includes(invoice.status)) return { outcome: 'not_collectable', status: invoice.status };
    const jobId = escalationJobId(tenant.id, invoice.id, action, req.key);
    const existing = await this.deps.db.contactAttempt.findUnique({ where: { jobId } });
    if (existing) return this.replay(req, existing);

    const purpose = contactPurpose(action, stage);
    const decision = await this.deps.compliance.evaluate({
      tenantId: tenant.id,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: action,
      purpose,
      actor: req.actor,
      initiatedBy: req.initiatedBy,
    });
    if (!decision.allowed && !decision.nextAllowedAt) {
      const reasons = decision.reasons
        .filter((r) => r.severity === 'deny')
        .map((r) => ({ code: r.code, message: r.message, source: r.source }));
      return { outcome: 'refused_by_compliance', reasons, auditId: decision.auditId };
    }
    const tierCheck = await this.deps.limiter.peek({ tenantId: tenant.id, limits: tenant.limits }, action);
    if (!tierCheck.allowed) {
      const d = tierCheck.denied;
      return {
        outcome: 'rate_limited',
        message: d ? `The ${d.window} ${d.counter} limit of your ${tenant.tier} tier (${d.limit}) is used up` : 'Tier limit reached',
        ...(tierCheck.retryAfterSeconds ? { retryAfterSeconds: tierCheck.retryAfterSeconds } : {}),
      };
    }
    if (invoice.collectionStage === 0) {
      // An invoice entering collection counts against the tier's monthly collections.
      const entered = await this.deps.limiter.consume({ tenantId: tenant.id, limits: tenant.limits }, 'collection');
      if (!entered.allowed) return { outcome: 'rate_limited', message: `Your ${tenant.tier} tier's monthly collections are used up` };
    }
    const now = new Date();
    const scheduledFor = decision.allowed || !decision.nextAllowedAt ? now : decision.nextAllowedAt;
    const recorded = await recordCollectionContact(this.core, {
      tenantId: tenant.id,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: action,
      purpose,
      templateId: action === 'ai_call' ? null : `${stage}.${action}`,
      jobId,
      scheduledFor,
      detail: { requested_by: req.actor, initiated_by: req.initiatedBy, compliance_audit_id: decision.auditId, stage },
    });
    // Paid, disputed or cancelled since the caller read it: the row lock saw it, nothing was queued.
    if (recorded.outcome === 'not_collectable') return recorded;
    const attempt = recorded.attempt;
    if (!(await this.enqueueOrRecordFailure(req, attempt))) return { outcome: 'queue_unavailable' };
    await this.recordStep(req, now);
    return { outcome: 'queued', jobId, queue: queueFor(action), contactAttemptId: attempt.id, scheduledFor };
  }

  /**
   * A retry of a request that already recorded its contact. Its job may be missing (the process died, or Redis was
   * down between the row and the job): queue it again; the same jobId makes that a no-op when the job is there.
   */
  private async replay(req: EscalationRequest, existing: ContactAttemptModel): Promise<EscalationResult> {
    const scheduledFor = existing.scheduledFor ?? existing.createdAt;
    const answer = {
      outcome: 'duplicate' as const,
      jobId: existing.jobId ?? '',
      queue: queueFor(req.action),
      contactAttemptId: existing.id,
    };
    if (existing.status === 'failed' && existing.failureReason === NOT_QUEUED) {
      const now = new Date();
      const rearmed = await recordContactOutcome(
        this.deps.db,
        existing.id,
        { status: 'queued', failureReason: null, completedAt: null, scheduledFor: scheduledFor < now ? now : scheduledFor },
        ['failed'],
      );
      if (rearmed) {
        // The first request recorded no step: its job never reached the queue.
        if (!(await this.enqueueOrRecordFailure(req, { ...existing, scheduledFor }))) return { outcome: 'queue_unavailable' };
        await this.recordStep(req, now);
      }
      return { ...answer, scheduledFor: scheduledFor < now ? now : scheduledFor };
    }
    if (existing.status === 'queued' && !(await this.enqueueOrRecordFailure(req, existing))) return { outcome: 'queue_unavailable' };
    return { ...answer, scheduledFor };
  }

  /** The invoice's bookkeeping once a contact is queued: the level reached (an AI call is one firmer) and when. */
  private async recordStep(req: EscalationRequest, at: Date): Promise<void> {
    await recordPipelineStep(this.core, {
      tenantId: req.tenant.id,
      invoiceId: req.invoice.id,
      reachedStage: LEVEL_OF_STAGE[req.stage] + (req.action === 'ai_call' ? 1 : 0),
      lastActionAt: at,
      actor: req.actor,
    });
  }

  /** Queues the attempt's job; when the queue is down the attempt is recorded failed (never left `queued` with no job). */
  private async enqueueOrRecordFailure(req: EscalationRequest, attempt: ContactAttemptModel): Promise<boolean> {
    const jobId = attempt.jobId ?? '';
    const scheduled = attempt.scheduledFor ?? attempt.createdAt;
    try {
      await this.enqueue(req, attempt.purpose as ContactPurpose, jobId, Math.max(scheduled.getTime() - Date.now(), 0) || undefined);
      return true;
    } catch (err) {
      this.deps.logger.error({ err: { message: (err as Error).message }, jobId }, 'enqueue failed');
      await recordContactOutcome(this.deps.db, attempt.id, { status: 'failed', failureReason: NOT_QUEUED, completedAt: new Date() }, [
        'queued',
      ]).catch(() => undefined);
      return false;
    }
  }

  private async enqueue(req: EscalationRequest, purpose: ContactPurpose, jobId: string, delayMs: number | undefined): Promise<void> {
    const { invoice, client, tenant, action, stage } = req;
    const base = { tenant_id: tenant.id, client_id: client.id, invoice_id: invoice.id, requested_by: req.actor };
    if (action === 'ai_call') {
      await this.deps.producer.enqueue('ai-call.place', { ...base, enable_payment_during_call: true }, { jobId, delayMs });
      return;
    }
    const data = { ...base, template_id: `${stage}.${action}`, purpose, ...(req.variables ? { variables: req.variables } : {}) };
    if (action === 'email') await this.deps.producer.enqueue('email.send', { ...data, channel: 'email' }, { jobId, delayMs });
    else if (action === 'sms') await this.deps.producer.enqueue('sms.send', { ...data, channel: 'sms' }, { jobId, delayMs });
    else await this.deps.producer.enqueue('letter.send', { ...data, channel: 'letter' }, { jobId, delayMs });
  }
}

function queueFor(action: EscalationAction): QueueName {
  return action === 'ai_call' ? 'ai-calls' : 'notifications';
}
