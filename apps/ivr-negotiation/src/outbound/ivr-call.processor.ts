import { DelayedError, type Job } from 'bullmq';
import type { ComplianceService } from '@recoup/compliance';
import type { PlaceIvrCallJob } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { CallPlacer } from '@recoup/providers/telephony';
import type { CallEvents } from '../calls/call-events';
import type { AccountData } from '../calls/conversation';
import { IvrCallRepository, toView } from '../calls/ivr-call.repository';
import { initialOffer, resolvePolicy, type CollectionPolicy } from '../negotiation/policy';

export interface IvrCallProcessorOptions {
  db: Database;
  repository: IvrCallRepository;
  compliance: ComplianceService;
  placer: CallPlacer;
  events: CallEvents;
  logger: Logger;
  publicBaseUrl: string;
  defaultPolicy: CollectionPolicy;
  /** Hard cap on one call's length. */
  timeLimitSeconds: number;
}

const CLOSED = new Set(['paid', 'cancelled', 'written_off']);

/**
 * Consumes `ivr-calls`: re-reads the invoice and the debtor, does nothing when the invoice no
 * longer needs collecting or the job was cancelled, checks compliance again at dial time, creates
 * the call's one IvrCall record (account data for the greeting) and dials.
 */
export class IvrCallProcessor {
  constructor(private readonly o: IvrCallProcessorOptions) {}

  async process(
    data: PlaceIvrCallJob,
    jobId: string,
    job?: Pick<Job, 'moveToDelayed' | 'token'>,
  ): Promise<{ outcome: string; ivrCallId?: string }> {
    const { db } = this.o;
    const log = this.o.logger.child({ jobId, tenantId: data.tenant_id });
    const attempt =
      (await db.contactAttempt.findUnique({ where: { jobId } })) ??
      (await db.contactAttempt.upsert({
        where: { jobId },
        create: {
          tenantId: data.tenant_id,
          clientId: data.client_id,
          invoiceId: data.invoice_id,
          channel: 'ivr_call',
          purpose: 'payment_plan',
          status: 'queued',
          jobId,
        },
        update: {},
      }));
    if (attempt.status === 'cancelled') return { outcome: 'cancelled' };
    const cancel = async (reason: string) => {
      await db.contactAttempt.update({ where: { id: attempt.id }, data: { status: 'cancelled', failureReason: reason } });
      log.info({ reason }, 'ivr call not placed');
      return { outcome: 'cancelled' };
    };

    const invoice = await db.invoice.findFirst({
      where: { id: data.invoice_id, tenantId: data.tenant_id },
      include: { client: true, tenant: true },
    });
    if (!invoice) return cancel('invoice not found');
    if (CLOSED.has(invoice.status)) return cancel(`invoice is ${invoice.status}`);
    const balancePence = invoice.amountPence - invoice.paidPence;
    if (balancePence <= 0) return cancel('nothing outstanding');
    if (!invoice.client.phone) return cancel('client has no phone number');

    let call = await this.o.repository.findByJobId(jobId);
    if (call?.callSid) return { outcome: 'already_placed', ivrCallId: call.id };
    if (!call) {
      const decision = await this.o.compliance.evaluate({
        tenantId: data.tenant_id,
        clientId: data.client_id,
        invoiceId: data.invoice_id,
        channel: 'ivr_call',
        purpose: 'payment_plan',
        actor: data.requested_by,
        contactAttemptId: attempt.id,
      });
      const why = `compliance: ${decision.reasons
        .filter((r) => r.severity === 'deny')
        .map((r) => r.code)
        .join(', ')}`;
      if (!decision.allowed && decision.nextAllowedAt && job) {
        // Not now, but later (hours, a bank holiday, a quiet period): the same job waits until then.
        await db.contactAttempt.update({
          where: { id: attempt.id },
          data: { scheduledFor: decision.nextAllowedAt, failureReason: `delayed: ${why}` },
        });
        await job.moveToDelayed(decision.nextAllowedAt.getTime(), job.token);
        throw new DelayedError();
      }
      if (!decision.allowed) return cancel(why);
      const policy = resolvePolicy(invoice.tenant.collectionPolicy, this.o.defaultPolicy);
      const detail = (attempt.detail ?? {}) as { campaign_id?: string };
      const account: AccountData = {
        creditorName: invoice.tenant.name,
        customerName: invoice.client.name,
        balancePence,
        currency: invoice.currency,
        offeredPlan: initialOffer(balancePence, policy),
        policy,
        invoiceReference: invoice.reference,
        jobId,
        contactAttemptId: attempt.id,
      };
      call = await this.o.repository.create({
        tenantId: data.tenant_id,
        clientId: data.client_id,
        invoiceId: data.invoice_id,
        campaignId: detail.campaign_id ?? null,
        callerPhone: invoice.client.phone,
        customerName: invoice.client.name,
        account,
      });
      this.o.events.publish(call.tenantId, { type: 'created', call: toView(call) });
    }

    const base = this.o.publicBaseUrl.replace(/\/+$/, '');
    const placed = await this.o.placer.placeCall({
      to: invoice.client.phone,
      answerUrl: `${base}/voice?ivr_call_id=${call.id}`,
      statusCallbackUrl: `${base}/status?ivr_call_id=${call.id}`,
      timeLimitSeconds: this.o.timeLimitSeconds,
      idempotencyKey: jobId,
    });
    // The fake (sandbox) Twilio may already have driven the call before placeCall returned: set the sid only if unset.
    await db.ivrCall.updateMany({ where: { id: call.id, callSid: null }, data: { callSid: placed.callSid } });
    await db.contactAttempt.update({
      where: { id: attempt.id },
      data: { provider: placed.provider, providerMessageId: placed.callSid, sentAt: new Date(), failureReason: null },
    });
    // A status callback may already have moved the attempt on (answered, no_answer): only a still-queued one becomes sent.
    await db.contactAttempt.updateMany({ where: { id: attempt.id, status: 'queued' }, data: { status: 'sent' } });
    log.info({ callSid: placed.callSid, ivrCallId: call.id }, 'ivr call placed');
    return { outcome: 'placed', ivrCallId: call.id };
  }
}
