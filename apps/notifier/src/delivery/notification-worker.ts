import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '@recoup/observability';
import { JOB_CATALOG, QUEUES, runJob, type JobName, type Redis } from '@recoup/queue';

export type NotificationJobName = 'email.send' | 'sms.send' | 'letter.send' | 'statement.send';
export type NotificationHandler = (name: NotificationJobName, data: unknown, job: Job) => Promise<unknown>;

export interface NotificationWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** A killed worker's job is taken again once its lock lapses (and the next stalled check runs). */
  lockDurationMs: number;
  logger: Logger;
}

/**
 * The notifications worker: like libs/queue createJobWorker (catalogued names only, payloads
 * validated, bad ones unrecoverable, starts paused) plus a configurable lock, so a worker killed
 * mid-send has its jobs picked up again after NOTIFIER_LOCK_MS rather than BullMQ's fixed 30 s.
 */
export function createNotificationWorker(handler: NotificationHandler, options: NotificationWorkerOptions): Worker {
  const worker = new Worker(
    QUEUES.notifications,
    // runJob: the queuing request's id and trace continue here, and each job's outcome is one log line.
    (job: Job) =>
      runJob(job, QUEUES.notifications, options.logger, async (payload) => {
        const def = (JOB_CATALOG as Record<string, (typeof JOB_CATALOG)[JobName] | undefined>)[job.name];
        if (!def || def.queue !== QUEUES.notifications)
          throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${QUEUES.notifications}"`);
        const parsed = def.schema.safeParse(payload);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.message}`);
        return handler(job.name as NotificationJobName, parsed.data, job);
      }),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: false,
      lockDuration: options.lockDurationMs,
      stalledInterval: Math.max(Math.floor(options.lockDurationMs / 2), 500),
      maxStalledCount: 3,
    },
  );
  const log = options.logger.child({ queue: QUEUES.notifications });
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
  return worker;
}
