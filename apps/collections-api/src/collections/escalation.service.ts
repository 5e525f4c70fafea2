import { createHash, randomUUID } from 'node:crypto';
import type { CollectionStage, ContactPurpose, EscalationAction } from '@recoup/contracts';
import type { ComplianceService } from '@recoup/compliance';
import type { ClientModel, Database, InvoiceModel } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { JobProducer, QueueName } from '@recoup/queue';
import type { RateLimiter } from '@recoup/rate-limit';
import type { TenantRecord } from '../http/tenant-context';
import { COLLECTABLE } from '../invoices/invoice.mapper';

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

export interface EscalationResult {
  jobId: string;
  queue: QueueName;
  contactAttemptId: string;
  scheduledFor: Date;
  /** True when the same key had already queued this job. */
  existing: boolean;
}

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
  constructor(
    private readonly deps: { db: Database; compliance: ComplianceService; limiter: RateLimiter; producer: JobProducer; logger: Logger },
  ) {}

  async escalate(req: EscalationRequest): Promise<EscalationResult> {
    const { invoice, client, tenant, action, stage } = req;
    if (!COLLECTABLE.includes(invoice.status)) {
      throw new HttpProblem(409, 'Conflict', `Invoice is ${invoice.status}: nothing to collect`, {
        type: 'https://recoup.dev/problems/invoice-not-collectable',
      });
    }
    const jobId = `esc-${invoice.id}-${action}-${req.key ? createHash('sha256').update(`${tenant.id}\n${req.key}`).digest('hex').slice(0, 20) : randomUUID().slice(0, 13)}`;
    const existing = await this.deps.db.contactAttempt.findUnique({ where: { jobId } });
    if (existing) {
      // A retry of a request that wrote its row but may not have queued its job (the process died,
      // or Redis was down between the two): queue it again; the same jobId makes that a no-op
      // when the job is already there.
      if (existing.status === 'queued') {
        const scheduled = existing.scheduledFor ?? existing.createdAt;
        await this.enqueue(req, existing.purpose, jobId, Math.max(scheduled.getTime() - Date.now(), 0) || undefined);
      }
      return {
        jobId,
        queue: queueFor(action),
        contactAttemptId: existing.id,
        scheduledFor: existing.scheduledFor ?? existing.createdAt,
        existing: true,
      };
    }
    const purpose = action === 'ai_call' ? 'reminder' : purposeOf(stage);
    const decision = await this.deps.compliance.evaluate({
      tenantId: tenant.id,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: action,
      purpose,
      actor: req.actor,
      initiatedBy: req.initiatedBy,
    });
    const denials = decision.reasons
      .filter((r) => r.severity === 'deny')
      .map((r) => ({ code: r.code, message: r.message, source: r.source }));
    if (!decision.allowed && !decision.nextAllowedAt) {
      throw new HttpProblem(422, 'Unprocessable Content', `Contact not allowed: ${denials.map((d) => d.code).join(', ')}`, {
        type: 'https://recoup.dev/problems/compliance-blocked',
        reasons: denials,
        audit_id: decision.auditId,
      });
    }
    const limitAction = action === 'letter' ? 'letter' : action;
    const tierCheck = await this.deps.limiter.peek({ tenantId: tenant.id, limits: tenant.limits }, limitAction);
    if (!tierCheck.allowed) {
      const d = tierCheck.denied;
      throw new HttpProblem(
        429,
        'Too Many Requests',
        d ? `The ${d.window} ${d.counter} limit of your ${tenant.tier} tier (${d.limit}) is used up` : 'Tier limit reached',
        {
          type: 'https://recoup.dev/problems/tier-limit',
          ...(tierCheck.retryAfterSeconds ? { headers: { 'Retry-After': String(tierCheck.retryAfterSeconds) } } : {}),
        },
      );
    }
    if (invoice.collectionStage === 0) {
      // An invoice entering collection counts against the tier's monthly collections.
      const entered = await this.deps.limiter.consume({ tenantId: tenant.id, limits: tenant.limits }, 'collection');
      if (!entered.allowed)
        throw new HttpProblem(429, 'Too Many Requests', `Your ${tenant.tier} tier's monthly collections are used up`, {
          type: 'https://recoup.dev/problems/tier-limit',
        });
    }
    const now = Date.now();
    const scheduledFor = decision.allowed || !decision.nextAllowedAt ? new Date(now) : decision.nextAllowedAt;
    const templateChannel = action === 'ai_call' ? null : action;
    const attempt = await this.deps.db.contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: action,
        purpose,
        templateId: templateChannel ? `${stage}.${templateChannel}` : null,
        status: 'queued',
        jobId,
        scheduledFor,
        detail: { requested_by: req.actor, initiated_by: req.initiatedBy, compliance_audit_id: decision.auditId, stage },
      },
    });
    const delayMs = Math.max(scheduledFor.getTime() - now, 0) || undefined;
    try {
      await this.enqueue(req, purpose, jobId, delayMs);
    } catch (err) {
      // Nothing was queued: drop the row so the client's retry (same Idempotency-Key) starts afresh.
      await this.deps.db.contactAttempt.delete({ where: { id: attempt.id } }).catch(() => undefined);
      this.deps.logger.error({ err: { message: (err as Error).message }, jobId }, 'enqueue failed');
      throw new HttpProblem(503, 'Service Unavailable', 'The job queue is unavailable; retry later', { headers: { 'Retry-After': '5' } });
    }
    const level = Math.max(invoice.collectionStage, LEVEL_OF_STAGE[stage] + (action === 'ai_call' ? 1 : 0));
    await this.deps.db.invoice.update({
      where: { id: invoice.id },
      data: {
        collectionStage: level,
        lastActionAt: new Date(now),
        ...(invoice.status === 'open' && invoice.dueDate.getTime() < now ? { status: 'overdue' } : {}),
      },
    });
    return { jobId, queue: queueFor(action), contactAttemptId: attempt.id, scheduledFor, existing: false };
  }

  private async enqueue(req: EscalationRequest, purpose: string, jobId: string, delayMs: number | undefined): Promise<void> {
    const { invoice, client, tenant, action, stage } = req;
    const base = { tenant_id: tenant.id, client_id: client.id, invoice_id: invoice.id, requested_by: req.actor };
    if (action === 'ai_call') {
      await this.deps.producer.enqueue('ai-call.place', { ...base, enable_payment_during_call: true }, { jobId, delayMs });
      return;
    }
    const data = {
      ...base,
      template_id: `${stage}.${action}`,
      purpose: purpose as ContactPurpose,
      ...(req.variables ? { variables: req.variables } : {}),
    };
    if (action === 'email') await this.deps.producer.enqueue('email.send', { ...data, channel: 'email' }, { jobId, delayMs });
    else if (action === 'sms') await this.deps.producer.enqueue('sms.send', { ...data, channel: 'sms' }, { jobId, delayMs });
    else await this.deps.producer.enqueue('letter.send', { ...data, channel: 'letter' }, { jobId, delayMs });
  }
}

function queueFor(action: EscalationAction): QueueName {
  return action === 'ai_call' ? 'ai-calls' : 'notifications';
}
