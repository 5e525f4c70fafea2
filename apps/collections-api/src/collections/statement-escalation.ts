import { createHash } from 'node:crypto';
import type { CollectionStage } from '@recoup/contracts';
import { recordContactOutcome, recordPipelineStep, recordStatementContacts, type CollectionsDeps } from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { ClientModel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';
import type { RateLimiter } from '@recoup/rate-limit';
import type { TenantRecord } from '../http/tenant-context';
import { escalationJobId, type ComplianceDenial, type EscalationResult } from './escalation.service';

export type StatementChannel = 'email' | 'sms' | 'letter';

/** Stages a statement may stand in for: the reminders. A final notice (letter before action) stays a message per invoice. */
export const STATEMENT_STAGES: ReadonlySet<CollectionStage> = new Set<CollectionStage>([
  'friendly_reminder',
  'gentle_reminder',
  'standard_escalation',
]);

export interface StatementStep {
  invoice: InvoiceModel;
  stage: CollectionStage;
  /** The level of the collection ladder this step reaches. */
  level: number;
  /** The step's own idempotency key (the pipeline's `auto-<invoice>-L<level>`). */
  key: string;
}

export interface StatementRequest {
  tenant: TenantRecord;
  client: ClientModel;
  channel: StatementChannel;
  steps: StatementStep[];
  actor: string;
}

const NOT_QUEUED = 'job queue unavailable';

/** The statement's job id: the debtor, the channel and the steps it carries (a re-run of the same steps is the same job). */
export function statementJobId(tenantId: string, clientId: string, channel: StatementChannel, keys: string[]): string {
  const digest = createHash('sha256')
    .update(`${tenantId}\n${[...keys].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 20);
  return `stmt-${clientId}-${channel}-${digest}`;
}

/**
 * One reminder per debtor: a debtor's due reminders on one channel in one run go out as ONE statement listing every
 * invoice. Each invoice is still checked by the compliance engine (audited; an invoice refused outright is left out)
 * and gets its own contact attempt and timeline entry (recordStatementContacts), all naming the one `statement.send`
 * job; the tier's limits are checked once, for the one message. The whole statement waits for the latest time any of
 * its invoices' checks allows.
 */
export class StatementEscalation {
  private readonly core: CollectionsDeps;

  constructor(
    private readonly deps: { db: Database; compliance: ComplianceService; limiter: RateLimiter; producer: JobProducer; logger: Logger },
  ) {
    this.core = { db: deps.db, producer: deps.producer, logger: deps.logger };
  }

  async escalate(req: StatementRequest): Promise<Map<string, EscalationResult>> {
    const { tenant, client, channel } = req;
    const results = new Map<string, EscalationResult>();
    const allowed: Array<StatementStep & { auditId: string }> = [];
    let scheduledFor = new Date();
    for (const step of req.steps) {
      const decision = await this.deps.compliance.evaluate({
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: step.invoice.id,
        channel,
        purpose: 'reminder',
        actor: req.actor,
        initiatedBy: 'automation',
      });
      if (!decision.allowed && !decision.nextAllowedAt) {
        const reasons: ComplianceDenial[] = decision.reasons
          .filter((r) => r.severity === 'deny')
          .map((r) => ({ code: r.code, message: r.message, source: r.source }));
        results.set(step.invoice.id, { outcome: 'refused_by_compliance', reasons, auditId: decision.auditId });
        continue;
      }
      if (!decision.allowed && decision.nextAllowedAt && decision.nextAllowedAt > scheduledFor) scheduledFor = decision.nextAllowedAt;
      allowed.push({ ...step, auditId: decision.auditId });
    }
    if (allowed.length === 0) return results;

    const account = { tenantId: tenant.id, limits: tenant.limits };
    const tierCheck = await this.deps.limiter.peek(account, channel);
    if (!tierCheck.allowed) {
      const d = tierCheck.denied;
      const message = d ? `The ${d.window} ${d.counter} limit of your ${tenant.tier} tier (${d.limit}) is used up` : 'Tier limit reached';
      for (const s of allowed) results.set(s.invoice.id, { outcome: 'rate_limited', message });
      return results;
    }
    const entering: typeof allowed = [];
    for (const s of allowed) {
      // An invoice entering collection counts against the tier's monthly collections, as it does alone.
      if (s.invoice.collectionStage === 0 && !(await this.deps.limiter.consume(account, 'collection')).allowed) {
        results.set(s.invoice.id, { outcome: 'rate_limited', message: `Your ${tenant.tier} tier's monthly collections are used up` });
        continue;
      }
      entering.push(s);
    }
    if (entering.length === 0) return results;

    const jobId = statementJobId(
      tenant.id,
      client.id,
      channel,
      entering.map((s) => s.key),
    );
    const recorded = await recordStatementContacts(this.core, {
      tenantId: tenant.id,
      clientId: client.id,
      channel,
      purpose: 'reminder',
      statementJobId: jobId,
      scheduledFor,
      actor: req.actor,
      items: entering.map((s) => ({
        invoiceId: s.invoice.id,
        jobId: escalationJobId(tenant.id, s.invoice.id, channel, s.key),
        templateId: `statement.${channel}`,
        detail: { requested_by: req.actor, initiated_by: 'automation', compliance_audit_id: s.auditId, stage: s.stage },
      })),
    });
    for (const l of recorded.left) results.set(l.invoiceId, { outcome: 'not_collectable', status: l.status });
    const live = recorded.recorded.filter((r) => r.attempt.status === 'queued' || r.attempt.status === 'sending');
    if (live.length > 0) {
      try {
        await this.deps.producer.enqueue(
          'statement.send',
          {
            tenant_id: tenant.id,
            client_id: client.id,
            channel,
            template_id: `statement.${channel}`,
            purpose: 'reminder',
            requested_by: req.actor,
            invoice_ids: live.map((r) => r.invoiceId),
          },
          { jobId, delayMs: Math.max(scheduledFor.getTime() - Date.now(), 0) || undefined },
        );
      } catch (err) {
        this.deps.logger.error({ err: { message: (err as Error).message }, jobId }, 'statement enqueue failed');
        for (const r of live)
          await recordContactOutcome(this.deps.db, r.attempt.id, { status: 'failed', failureReason: NOT_QUEUED, completedAt: new Date() }, [
            'queued',
          ]).catch(() => undefined);
        for (const r of live) results.set(r.invoiceId, { outcome: 'queue_unavailable' });
        return results;
      }
    }
    const now = new Date();
    for (const r of recorded.recorded) {
      const step = entering.find((s) => s.invoice.id === r.invoiceId);
      if (!step) continue;
      await recordPipelineStep(this.core, {
        tenantId: tenant.id,
        invoiceId: r.invoiceId,
        reachedStage: step.level,
        lastActionAt: now,
        actor: req.actor,
      });
      results.set(r.invoiceId, {
        outcome: 'queued',
        jobId,
        queue: 'notifications',
        contactAttemptId: r.attempt.id,
        scheduledFor,
      });
    }
    return results;
  }
}
