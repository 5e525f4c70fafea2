import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { AccountingSyncJob, AccountingWriteBackJob } from '@recoup/contracts';
import type { Logger } from '@recoup/observability';
import { isRateLimited } from '@recoup/providers/accounting';
import type { Redis } from '@recoup/queue';
import type { AccountingConnections } from './accounting-connections.service';

export const ACCOUNTING_QUEUE = 'accounting-sync';
const SCHEDULER_ID = 'accounting-sync-all';
const SWEEP_ID = 'accounting-write-back-sweep';

/**
 * The jobs of the accounting sync, their payload schemas and retry policies (STYLE: a typed job catalog; a payload
 * that does not parse is unrecoverable, never a retry loop).
 * - `sync-all` (a job scheduler, every ACCOUNTING_SYNC_EVERY_MINUTES): one `sync` per live connection.
 * - `write-back-sweep` (every minute): a `write-back` for each payment taken through us the last day not yet in the books.
 * - `sync` (jobId `sync-<connection>`: one queued or running per connection): pull changes, apply, queue write-backs.
 * - `write-back` (jobId `write-back-<payment>`, kept a week once done): the payment to the books exactly once;
 *   8 attempts, exponential backoff from 30 s; the vendor's idempotency key covers a retry after a lost answer.
 */
export const ACCOUNTING_JOBS = {
  sync: { schema: AccountingSyncJob, attempts: 5, backoff: { type: 'exponential' as const, delay: 60_000 } },
  'write-back': { schema: AccountingWriteBackJob, attempts: 8, backoff: { type: 'exponential' as const, delay: 30_000 } },
};

export class AccountingSyncScheduler {
  readonly queue: Queue;
  private worker?: Worker;

  constructor(private readonly options: { producer: Redis; workerConnection: Redis; prefix: string; logger: Logger }) {
    this.queue = new Queue(ACCOUNTING_QUEUE, { connection: options.producer, prefix: options.prefix });
    this.queue.on('error', () => undefined);
  }

  /** `off` removes the sync schedule; the write-back sweep runs every minute regardless. */
  async scheduleEvery(minutes: number | 'off'): Promise<void> {
    await this.queue.upsertJobScheduler(
      SWEEP_ID,
      { every: 60_000 },
      { name: 'write-back-sweep', opts: { removeOnComplete: 20, removeOnFail: 20 } },
    );
    if (minutes === 'off') {
      await this.queue.removeJobScheduler(SCHEDULER_ID);
      return;
    }
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: minutes * 60_000 },
      { name: 'sync-all', opts: { removeOnComplete: 20, removeOnFail: 20 } },
    );
  }

  async enqueueSync(connectionId: string): Promise<string> {
    const jobId = `sync-${connectionId}`;
    const def = ACCOUNTING_JOBS.sync;
    await this.queue.add('sync', def.schema.parse({ connection_id: connectionId }), {
      jobId,
      attempts: def.attempts,
      backoff: def.backoff,
      removeOnComplete: true,
      removeOnFail: 50,
    });
    return jobId;
  }

  async enqueueWriteBack(paymentId: string): Promise<void> {
    const def = ACCOUNTING_JOBS['write-back'];
    await this.queue.add('write-back', def.schema.parse({ payment_id: paymentId }), {
      jobId: `write-back-${paymentId}`,
      attempts: def.attempts,
      backoff: def.backoff,
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  start(connections: AccountingConnections, listLive: () => Promise<string[]>): Worker {
    const worker = new Worker(
      ACCOUNTING_QUEUE,
      async (job: Job, token?: string) => {
        try {
          if (job.name === 'sync-all') {
            const ids = await listLive();
            for (const id of ids) await this.enqueueSync(id);
            return { connections: ids.length };
          }
          if (job.name === 'write-back-sweep') return { queued: await connections.sweepWriteBacks() };
          if (job.name === 'sync') {
            const parsed = AccountingSyncJob.safeParse(job.data);
            if (!parsed.success) throw new UnrecoverableError(`invalid sync payload: ${parsed.error.message}`);
            return (await connections.sync(parsed.data.connection_id)) ?? { skipped: true };
          }
          if (job.name === 'write-back') {
            const parsed = AccountingWriteBackJob.safeParse(job.data);
            if (!parsed.success) throw new UnrecoverableError(`invalid write-back payload: ${parsed.error.message}`);
            const outcome = await connections.writeBack(parsed.data.payment_id);
            if (outcome === 'connection_gone') throw new UnrecoverableError('the connection is no longer live');
            return { outcome };
          }
          throw new UnrecoverableError(`unknown job ${job.name}`);
        } catch (err) {
          // The vendor's rate limit: wait its Retry-After (not an attempt), never sooner.
          if (isRateLimited(err) && token) {
            await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
            throw new DelayedError();
          }
          throw err;
        }
      },
      { connection: this.options.workerConnection, prefix: this.options.prefix, concurrency: 2, autorun: false },
    );
    worker.on('error', (err) => this.options.logger.warn({ err: { message: err.message } }, 'accounting worker error'));
    worker.on('failed', (job, err) =>
      this.options.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'accounting job failed'),
    );
    this.worker = worker;
    void worker.run();
    return worker;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
