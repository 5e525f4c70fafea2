import { DelayedError, type Job } from 'bullmq';
import {
  NO_CONTACT_STATUSES,
  claimContactForSend,
  effectiveStatus,
  quoteInvoiceBalance,
  recordContactOutcome,
  recordQueuedContact,
} from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { PlaceIvrCallJob } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { CallPlacer } from '@recoup/providers/telephony';
import type { CallEvents } from '../calls/call-events';
import { accountDataFor } from '../calls/conversation';
import { IvrCallRepository, toView } from '../calls/ivr-call.repository';
import { resolvePolicy, type CollectionPolicy } from '../negotiation/policy';

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

/**
 * Consumes `ivr-calls`: re-reads the invoice and the debtor, does nothing when the invoice no
 * longer needs collecting (paid, disputed, cancelled, written off: the core's list) or the job was
 * cancelled, checks compliance again at dial time, claims the contact attempt (`sending`) so a
 * cancellation can no longer erase a call the debtor receives, creates the call's one IvrCall record
 * (account data for the greeting, with the core's balance quote) and dials.
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
    // The row normally exists (written when the call was requested); a job added by hand gets one now.
    const attempt = await recordQueuedContact(db, {
      tenantId: data.tenant_id,
      clientId: data.client_id,
      invoiceId: data.invoice_id,
      channel: 'ivr_call',
      purpose: 'payment_plan',
      jobId,
    });
    if (attempt.status === 'cancelled') return { outcome: 'cancelled' };
    const cancel = async (reason: string) => {
      // Only a queued attempt: one already claimed or placed keeps the record of what the debtor received.
      await recordContactOutcome(db, attempt.id, { status: 'cancelled', failureReason: reason, completedAt: new Date() }, ['queued']);
      log.info({ reason }, 'ivr call not placed');
      return { outcome: 'cancelled' };
    };

    let call = await this.o.repository.findByJobId(jobId);
    if (call?.callSid) return { outcome: 'already_placed', ivrCallId: call.id };

    const invoice = await db.invoice.findFirst({
      where: { id: data.invoice_id, tenantId: data.tenant_id },
      include: { client: true, tenant: true },
    });
    if (!invoice) return cancel('invoice not found');
    if (NO_CONTACT_STATUSES.includes(invoice.status)) return cancel(`invoice is ${invoice.status}`);
    // The one balance every message and call quotes (statutory charges only where the creditor claims them).
    const quote = await quoteInvoiceBalance(db, { ...invoice, status: effectiveStatus(invoice) });
    if (quote.principalPence <= 0) return cancel('nothing outstanding');
    if (!invoice.client.phone) return cancel('client has no phone number');

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
        await recordContactOutcome(
          db,
          attempt.id,
          { status: 'queued', scheduledFor: decision.nextAllowedAt, failureReason: `delayed: ${why}` },
          ['queued'],
        );
        await job.moveToDelayed(decision.nextAllowedAt.getTime(), job.token);
        throw new DelayedError();
      }
      if (!decision.allowed) return cancel(why);
    }
    // Claimed before the IvrCall exists and the dial: a call cancelled meanwhile (a dispute, a payment) is never
    // dialled, and once claimed a cancellation cannot erase a call the debtor receives. A retried job re-claims its own.
    if (!(await claimContactForSend(db, attempt.id))) return { outcome: 'cancelled' };
    if (!call) {
      const policy = resolvePolicy(invoice.tenant.collectionPolicy, this.o.defaultPolicy);
      const detail = (attempt.detail ?? {}) as { campaign_id?: string };
      const account = accountDataFor(invoice, quote, policy, { jobId, contactAttemptId: attempt.id });
      call = await this.o.repository.create({
        tenantId: data.tenant_id,
        clientId: data.client_id,
        invoiceId: data.invoice_id,
        campaignId: detail.campaign_id ?? null,
        callerPhone: invoice.client.phone,
        customerName: invoice.client.name,
        account,
        sensitive: invoice.client.vulnerable || invoice.client.mentalCapacityConcern,
      });
      this.o.events.publish(call.tenantId, { type: 'created', call: toView(call) });
    }

    const base = this.o.publicBaseUrl.replace(/\/+$/, '');
    let placed: Awaited<ReturnType<CallPlacer['placeCall']>>;
    try {
      placed = await this.o.placer.placeCall({
        to: invoice.client.phone,
        answerUrl: `${base}/voice?ivr_call_id=${call.id}`,
        statusCallbackUrl: `${base}/status?ivr_call_id=${call.id}`,
        // AMD (DetectMessageEnd): a machine gets a name-and-number message after its beep, never the debt.
        machineDetection: { mode: 'async', callbackUrl: `${base}/amd?ivr_call_id=${call.id}` },
        timeLimitSeconds: this.o.timeLimitSeconds,
        idempotencyKey: jobId,
      });
    } catch (err) {
      // The provider refused the call, so nothing reached the debtor: the attempt is queued again for the retry
      // (or for a cancellation to take it).
      await recordContactOutcome(db, attempt.id, { status: 'queued', failureReason: `dial failed: ${(err as Error).message}` }, [
        'sending',
      ]);
      throw err;
    }
    // The fake (sandbox) Twilio may already have driven the call before placeCall returned: set the sid only if unset.
    await db.ivrCall.updateMany({ where: { id: call.id, callSid: null }, data: { callSid: placed.callSid } });
    const sent = { provider: placed.provider, providerMessageId: placed.callSid, sentAt: new Date(), failureReason: null };
    // A status callback may already have moved the attempt on (answered, no_answer): only a still-claimed one becomes sent.
    if (!(await recordContactOutcome(db, attempt.id, { status: 'sent', ...sent }, ['sending']))) {
      const current = await db.contactAttempt.findUnique({ where: { id: attempt.id }, select: { status: true } });
      if (current) await recordContactOutcome(db, attempt.id, { status: current.status, ...sent }, [current.status]);
    }
    log.info({ callSid: placed.callSid, ivrCallId: call.id }, 'ivr call placed');
    return { outcome: 'placed', ivrCallId: call.id };
  }
}
