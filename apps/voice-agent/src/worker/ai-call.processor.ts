import { daysOverdue, isCollectable, isCollectionsError, isoDate, recordContactOutcome, recordQueuedContact } from '@recoup/collections';
import type { PlaceAiCallJob } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { Job } from '@recoup/queue';
import { quoteOf } from '../calls/balance';
import { CallRefused, type CallService } from '../calls/call-service';

/**
 * The ai-calls queue (PlaceAiCallJob from collections-api): re-reads invoice and debtor, and places
 * the call through the same path as POST /initiate-call (compliance, tier limits, cooldown). The attempt is
 * claimed (`sending`) inside that path just before dialling.
 */
export function aiCallProcessor(db: Database, calls: CallService, logger: Logger, clock: () => Date = () => new Date()) {
  return async (data: PlaceAiCallJob, job: Job): Promise<unknown> => {
    const jobId = job.id ?? `ai-call-${data.invoice_id}`;
    const invoice = await db.invoice.findFirst({
      where: { id: data.invoice_id, tenantId: data.tenant_id, clientId: data.client_id },
      include: { client: true, tenant: true },
    });
    const attempt = await recordQueuedContact(db, {
      tenantId: data.tenant_id,
      clientId: data.client_id,
      invoiceId: invoice?.id ?? null,
      channel: 'ai_call',
      purpose: 'reminder',
      templateId: 'voice',
      jobId,
    });
    const cancel = async (reason: string) => {
      await recordContactOutcome(db, attempt.id, { status: 'cancelled', failureReason: reason, completedAt: clock() }, ['queued']);
      return { cancelled: reason };
    };
    if (attempt.status === 'cancelled') return { cancelled: 'job was cancelled' };
    if (attempt.status !== 'queued') return { skipped: `attempt already ${attempt.status}` };
    if (!invoice) return cancel('invoice not found');
    // The core's list: paid, cancelled, written off, disputed (CONC 7.14) are never called about.
    if (!isCollectable(invoice.status)) return cancel(`invoice is ${invoice.status}`);
    if (!invoice.client.phone) return cancel('debtor has no phone number');
    const now = clock();
    try {
      const placed = await calls.initiate(
        {
          recipient_phone: invoice.client.phone,
          recipient_name: invoice.client.name,
          invoice_reference: invoice.reference,
          amount: (await quoteOf(db, invoice, now)).totalPence / 100,
          due_date: isoDate(invoice.dueDate),
          days_past_due: daysOverdue(invoice.dueDate, now),
          business_name: invoice.tenant.name,
          invoice_id: invoice.id,
          freelancer_id: invoice.tenantId,
          enable_payment_during_call: data.enable_payment_during_call ?? true,
        },
        data.requested_by,
        jobId,
      );
      return { call_sid: placed.callSid };
    } catch (err) {
      if (err instanceof CallRefused) {
        // A refusal is a decision, not a failure to retry: record it on the attempt.
        const reason = String(err.extra.reason_code ?? err.title);
        await recordContactOutcome(
          db,
          attempt.id,
          { status: 'blocked', failureReason: `${reason}: ${err.detail ?? err.title}`.slice(0, 300), completedAt: now },
          ['queued'],
        );
        logger.info({ jobId, reason }, 'ai call refused');
        return { blocked: reason };
      }
      // Cancelled (a payment, a dispute) between the checks above and the claim: the core left it cancelled.
      if (isCollectionsError(err) && err.code === 'conflict') return { cancelled: err.message };
      throw err;
    }
  };
}
