import type { Database } from '@recoup/db';
import { JOB_CATALOG, type JobName, type JobProducer } from '@recoup/queue';

const QUEUE_OF: Record<string, string> = {
  email: 'email.send',
  sms: 'sms.send',
  letter: 'letter.send',
  ai_call: 'ai-call.place',
  ivr_call: 'ivr-call.place',
};

/** Removes an invoice's queued jobs (by jobId) and marks their attempts cancelled (the shared cancellation contract). */
export async function cancelPendingCollection(db: Database, producer: JobProducer, invoiceId: string, reason: string): Promise<number> {
  const pending = await db.contactAttempt.findMany({ where: { invoiceId, status: 'queued', jobId: { not: null } } });
  for (const attempt of pending) {
    const jobName = QUEUE_OF[attempt.channel] as JobName | undefined;
    if (!jobName || !attempt.jobId) continue;
    const job = await producer.queue(JOB_CATALOG[jobName].queue).getJob(attempt.jobId);
    // An active job cannot be removed; its worker re-reads the invoice and stops.
    await job?.remove().catch(() => undefined);
  }
  const { count } = await db.contactAttempt.updateMany({
    where: { id: { in: pending.map((p) => p.id) }, status: 'queued' },
    data: { status: 'cancelled', failureReason: reason },
  });
  return count;
}
