import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_CATALOG, type JobData, type JobName, type QueueName } from './catalog';
import { SpanKind, withSpan } from '@recoup/observability';
import { JOB_META_KEY, currentJobMeta } from './job-context';

export class InvalidJobError extends Error {}

export interface EnqueueOptions {
  /** The idempotency key of the job: adding the same id twice keeps the first job. */
  jobId: string;
  delayMs?: number;
}

/** Adds catalogued jobs to their queues, validating each payload before it leaves the process. */
export class JobProducer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => undefined); // surfaced by the caller's rejected add(); see createRedis for logging
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, options: EnqueueOptions): Promise<{ jobId: string; queue: QueueName }> {
    const def = JOB_CATALOG[name];
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) throw new InvalidJobError(`invalid ${name} payload: ${parsed.error.message}`);
    if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(options.jobId) || /^\d+$/.test(options.jobId)) {
      // BullMQ reserves integer ids for its own counter.
      throw new InvalidJobError(`invalid job id "${options.jobId}"`);
    }
    const attributes = { 'messaging.system': 'bullmq', 'messaging.destination.name': def.queue, 'messaging.message.id': options.jobId };
    return withSpan(`${def.queue} publish ${name}`, SpanKind.PRODUCER, attributes, async () => {
      // The request id and trace context travel with the job (stripped before the worker parses it: job-context.ts).
      const meta = currentJobMeta();
      const data = meta ? { ...(parsed.data as object), [JOB_META_KEY]: meta } : parsed.data;
      const job = await this.queue(def.queue).add(name, data, {
        jobId: options.jobId,
        delay: options.delayMs,
        attempts: def.attempts,
        backoff: def.backoff,
        removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
      return { jobId: job.id ?? options.jobId, queue: def.queue };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
