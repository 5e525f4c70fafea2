import { createHash } from 'node:crypto';
import { NO_CONTACT_STATUSES, recordContactOutcome, recordQueuedContact } from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { Database } from '@recoup/db';
import type { OutboundIvrCallResult } from '@recoup/contracts';
import type { JobProducer } from '@recoup/queue';
import { resolveLimits, type RateLimiter, type Tier } from '@recoup/rate-limit';

export interface OutboundRequest {
  tenantId: string;
  clientId: string;
  invoiceId: string;
  campaignId: string;
  requestedBy: string;
}

export interface OutboundServiceOptions {
  db: Database;
  compliance: ComplianceService;
  limiter: RateLimiter;
  producer: JobProducer;
  /** What one IVR call is reserved at against the tenant's daily cost cap. */
  estimatedCostPence: number;
  clock?: () => Date;
}

/** The BullMQ job id (the idempotency key): one call per invoice per campaign. */
export function ivrJobId(invoiceId: string, campaignId: string): string {
  const campaign = /^[A-Za-z0-9_.-]{1,60}$/.test(campaignId)
    ? campaignId
    : createHash('sha256').update(campaignId).digest('hex').slice(0, 24);
  return `ivr:${invoiceId}:${campaign}`;
}

const refused = (r: OutboundRequest, reasons: OutboundIvrCallResult['reasons']): OutboundIvrCallResult => ({
  client_id: r.clientId,
  invoice_id: r.invoiceId,
  outcome: 'refused',
  job_id: null,
  contact_attempt_id: null,
  scheduled_for: null,
  reasons,
});

/**
 * Queues one outbound IVR call: the invoice must be the tenant's and still collected on (never one
 * that is paid, disputed, cancelled or written off: the core's list), the compliance
 * engine must allow a call now or name when (then the job is delayed to that instant), and the
 * tenant's tier must have room. The ContactAttempt row (queued, jobId, scheduledFor) is written in
 * the same step as the enqueue; a repeat of the same invoice and campaign returns the first job.
 */
export class OutboundCallService {
  private readonly clock: () => Date;
  constructor(private readonly o: OutboundServiceOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  async request(r: OutboundRequest): Promise<OutboundIvrCallResult> {
    const { db } = this.o;
    const jobId = ivrJobId(r.invoiceId, r.campaignId);
    const existing = await db.contactAttempt.findUnique({ where: { jobId } });
    if (existing && existing.tenantId === r.tenantId) {
      return {
        client_id: r.clientId,
        invoice_id: r.invoiceId,
        outcome:
          existing.status === 'cancelled'
            ? 'refused'
            : existing.scheduledFor && existing.scheduledFor > this.clock()
              ? 'scheduled'
              : 'queued',
        job_id: jobId,
        contact_attempt_id: existing.id,
        scheduled_for: existing.scheduledFor?.toISOString() ?? null,
        reasons: existing.failureReason ? [{ code: 'ALREADY_REQUESTED', message: existing.failureReason }] : [],
      };
    }
    const invoice = await db.invoice.findFirst({
      where: { id: r.invoiceId, tenantId: r.tenantId, clientId: r.clientId },
      include: { client: true, tenant: true },
    });
    if (!invoice) return refused(r, [{ code: 'NOT_FOUND', message: 'No such invoice for this client and tenant' }]);
    if (NO_CONTACT_STATUSES.includes(invoice.status)) {
      // The compliance engine's reason codes, so a refusal reads the same whichever check saw it first.
      const code = invoice.status === 'disputed' ? 'DEBT_DISPUTED' : 'DEBT_NOT_OUTSTANDING';
      return refused(r, [{ code, message: `The invoice is ${invoice.status}: no call asks for payment` }]);
    }
    if (!invoice.client.phone) return refused(r, [{ code: 'CONTACT_DETAILS_MISSING', message: 'The client has no phone number' }]);

    const now = this.clock();
    const decision = await this.o.compliance.evaluate({
      tenantId: r.tenantId,
      clientId: r.clientId,
      invoiceId: r.invoiceId,
      channel: 'ivr_call',
      purpose: 'payment_plan',
      actor: r.requestedBy,
      now,
    });
    const denials = decision.reasons.filter((x) => x.severity === 'deny').map((x) => ({ code: x.code, message: x.message }));
    if (!decision.allowed && !decision.nextAllowedAt) return refused(r, denials);

    const limits = { tenantId: r.tenantId, limits: resolveLimits(invoice.tenant.tier as Tier, invoice.tenant.limitOverrides ?? undefined) };
    // IVR calls are automated calls: they count against the tier's call allowance and daily cost cap.
    const rate = await this.o.limiter.reserve(limits, 'ai_call', { estimatedCostPence: this.o.estimatedCostPence, reservationId: jobId });
    if (!rate.allowed) {
      const d = rate.denied;
      return refused(r, [
        {
          code: 'TIER_LIMIT_REACHED',
          message: d ? `${d.window} ${d.counter} limit of ${d.limit} reached` : `tier limit reached (${rate.degraded ?? 'limit'})`,
        },
      ]);
    }

    const scheduledFor = decision.allowed ? now : (decision.nextAllowedAt ?? now);
    const delayMs = Math.max(0, scheduledFor.getTime() - now.getTime());
    const attempt = await recordQueuedContact(db, {
      tenantId: r.tenantId,
      clientId: r.clientId,
      invoiceId: r.invoiceId,
      channel: 'ivr_call',
      purpose: 'payment_plan',
      jobId,
      scheduledFor,
      detail: { campaign_id: r.campaignId, compliance_audit_id: decision.auditId, requested_by: r.requestedBy },
    });
    try {
      await this.o.producer.enqueue(
        'ivr-call.place',
        { tenant_id: r.tenantId, client_id: r.clientId, invoice_id: r.invoiceId, requested_by: r.requestedBy },
        { jobId, delayMs },
      );
    } catch (err) {
      await recordContactOutcome(
        db,
        attempt.id,
        { status: 'failed', failureReason: `enqueue failed: ${(err as Error).message}`, completedAt: this.clock() },
        ['queued'],
      );
      throw err;
    }
    return {
      client_id: r.clientId,
      invoice_id: r.invoiceId,
      outcome: delayMs > 0 ? 'scheduled' : 'queued',
      job_id: jobId,
      contact_attempt_id: attempt.id,
      scheduled_for: scheduledFor.toISOString(),
      reasons: delayMs > 0 ? denials : [],
    };
  }
}
