import type { PlaceAiCallJob } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { Job } from '@recoup/queue';
import type { CallService } from '../calls/call-service';

const CLOSED = new Set(['paid', 'cancelled', 'written_off', 'disputed']);

/**
 * The ai-calls queue (PlaceAiCallJob from collections-api): re-reads invoice and debtor, and places
 * the call through the same path as POST /initiate-call (compliance, tier limits, cooldown).
 */
export function aiCallProcessor(db: Database, calls: CallService, logger: Logger) {
  return async (data: PlaceAiCallJob, job: Job): Promise<unknown> => {
    const jobId = job.id ?? `ai-call-${data.invoice_id}`;
    const invoice = await db.invoice.findFirst({
      where: { id: data.invoice_id, tenantId: data.tenant_id, clientId: data.client_id },
      include: { client: true, tenant: true },
    });
    const attempt = await db.contactAttempt.upsert({
      where: { jobId },
      create: {
        tenantId: data.tenant_id,
        clientId: data.client_id,
        invoiceId: invoice?.id ?? null,
        channel: 'ai_call',
        purpose: 'reminder',
        status: 'queued',
        jobId,
      },
      update: {},
    });
    const cancel = async (reason: string) => {
      await db.contactAttempt.update({ where: { id: attempt.id }, data: { status: 'cancelled', failureReason: reason } });
      return { cancelled: reason };
    };
    if (attempt.status === 'cancelled') return { cancelled: 'job was cancelled' };
    if (attempt.status !== 'queued') return { skipped: `attempt already ${attempt.status}` };
    if (!invoice) return cancel('invoice not found');
    if (CLOSED.has(invoice.status)) return cancel(`invoice is ${invoice.status}`);
    if (!invoice.client.phone) return cancel('debtor has no phone number');
    const today = new Date();
    const daysPastDue = Math.max(0, Math.floor((today.getTime() - invoice.dueDate.getTime()) / 86_400_000));
    try {
      const placed = await calls.initiate(
        {
          recipient_phone: invoice.client.phone,
          recipient_name: invoice.client.name,
          invoice_reference: invoice.reference,
          amount: (invoice.amountPence - invoice.paidPence) / 100,
          due_date: invoice.dueDate.toISOString().slice(0, 10),
          days_past_due: daysPastDue,
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
      if (err instanceof HttpProblem && err.status < 500) {
        // A refusal is a decision, not a failure to retry: record it on the attempt.
        await db.contactAttempt.update({
          where: { id: attempt.id },
          data: {
            status: 'blocked',
            failureReason: `${String(err.extra.reason_code ?? err.status)}: ${err.detail ?? err.title}`.slice(0, 300),
          },
        });
        logger.info({ jobId, reason: err.extra.reason_code }, 'ai call refused');
        return { blocked: String(err.extra.reason_code ?? err.title) };
      }
      throw err;
    }
  };
}
