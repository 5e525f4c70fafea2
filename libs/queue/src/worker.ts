import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@recoup/observability';
import { JOB_CATALOG, type JobData, type JobName, type JobsOn, type QueueName } from './catalog';
import { runJob } from './job-context';

export type JobProcessor<N extends JobName> = (data: JobData<N>, job: Job) => Promise<unknown>;
export type ProcessorsFor<Q extends QueueName> = { [N in JobsOn<Q>]?: JobProcessor<N> };

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency?: number;
  logger: Logger;
}

/**
 * A BullMQ worker for one queue. It starts paused (`autorun: false`): call `worker.run()` once
 * PostgreSQL and Redis answer. A payload that fails its schema, or a job nobody processes, is
 * unrecoverable: it fails once instead of retrying forever.
 */
export function createJobWorker<Q extends QueueName>(queue: Q, processors: ProcessorsFor<Q>, options: WorkerOptions): Worker {
  const log = options.logger.child({ queue });
  const worker = new Worker(
    queue,
    (job: Job) =>
      runJob(job, queue, options.logger, async (payload) => {
        const def = (JOB_CATALOG as Record<string, (typeof JOB_CATALOG)[JobName] | undefined>)[job.name];
        const processor = (processors as Record<string, JobProcessor<JobName> | undefined>)[job.name];
        if (!def || def.queue !== queue || !processor)
          throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${queue}"`);
        const parsed = def.schema.safeParse(payload);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.message}`);
        return processor(parsed.data as never, job);
      }),
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 5, autorun: false },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
  return worker;
}
