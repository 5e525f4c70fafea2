import { Queue, type Job } from 'bullmq';
import type { Redis } from '@recoup/queue';

export const DEAD_LETTER_QUEUE = 'notifications-dead';

/**
 * Messages that will not be sent: a permanent provider failure, retries exhausted, or a template
 * that cannot be rendered. Nothing consumes this queue; it is for operators (the board at
 * /admin/queues), who can fix the cause and re-enqueue. The job id is the original one, so a
 * message lands here once.
 */
export class DeadLetters {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(DEAD_LETTER_QUEUE, { connection, prefix });
    this.queue.on('error', () => undefined);
  }

  async add(job: Job, reason: string, contactAttemptId?: string): Promise<void> {
    await this.queue.add(
      job.name,
      {
        original_job_id: job.id,
        contact_attempt_id: contactAttemptId ?? null,
        reason,
        data: job.data,
        failed_at: new Date().toISOString(),
      },
      { jobId: job.id, removeOnComplete: true, removeOnFail: false },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
