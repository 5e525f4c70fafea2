import type { Channel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { QUEUES, type JobProducer, type QueueName } from '@recoup/queue';

const QUEUE_OF_CHANNEL: Record<string, QueueName> = {
  email: QUEUES.notifications,
  sms: QUEUES.notifications,
  letter: QUEUES.notifications,
  ai_call: QUEUES.aiCalls,
  ivr_call: QUEUES.ivrCalls,
};

export function queueOfChannel(channel: string): QueueName {
  const q = QUEUE_OF_CHANNEL[channel];
  if (!q) throw new Error(`no queue for channel ${channel}`);
  return q;
}

/**
 * Stops every pending collection job of an invoice (it was paid or disputed): removes the queued
 * jobs by jobId and marks their attempts cancelled. A job already running cannot be removed;
 * its consumer re-reads the invoice and cancels itself (the queue contract).
 */
export async function cancelPendingJobs(
  db: Database,
  producer: JobProducer,
  invoiceId: string,
  reason: string,
  logger?: Logger,
  channels?: Channel[],
): Promise<number> {
  const pending = await db.contactAttempt.findMany({
    where: { invoiceId, status: 'queued', ...(channels ? { channel: { in: channels } } : {}) },
    select: { id: true, jobId: true, channel: true },
  });
  for (const attempt of pending) {
    if (!attempt.jobId) continue;
    try {
      const job = await producer.queue(queueOfChannel(attempt.channel)).getJob(attempt.jobId);
      await job?.remove();
    } catch (err) {
      logger?.info(
        { jobId: attempt.jobId, err: { message: (err as Error).message } },
        'pending job could not be removed (running); its worker will cancel it',
      );
    }
  }
  if (pending.length === 0) return 0;
  const { count } = await db.contactAttempt.updateMany({
    where: { id: { in: pending.map((p) => p.id) }, status: 'queued' },
    data: { status: 'cancelled', failureReason: reason, completedAt: new Date() },
  });
  return count;
}

/**
 * Opens a dispute on an invoice, from the creditor's API or the debtor's own link: the invoice is
 * disputed, the debtor flagged (the compliance engine stops every channel, CONC 7.14) and the
 * invoice's pending collection jobs cancelled.
 */
export async function openInvoiceDispute(
  db: Database,
  producer: JobProducer,
  invoice: Pick<InvoiceModel, 'id' | 'clientId'>,
  reason: string,
  logger?: Logger,
): Promise<InvoiceModel> {
  const updated = await db.invoice.update({ where: { id: invoice.id }, data: { status: 'disputed', nextActionAt: null } });
  await db.client.update({ where: { id: invoice.clientId }, data: { disputeOpenedAt: new Date(), disputeResolvedAt: null } });
  await cancelPendingJobs(db, producer, invoice.id, reason, logger);
  return updated;
}
