import { Queue, Worker, type Job } from 'bullmq';
import type { Database } from '@recoup/db';
import type { ForestExecutor } from '@recoup/forest';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import { TrainModelRequest, type TrainingJobResponse } from '@recoup/contracts';
import type { ModelRegistry } from '../model/model-registry';
import { NotEnoughTrainingData, trainFromDatabase } from './database-training';

/**
 * Training jobs live in this service's own queue (not the shared job catalog: no other
 * service produces or consumes them). One job at a time; the nightly run is a repeatable job
 * with a fixed id, so restarts and several instances schedule it once.
 */
export const TRAINING_QUEUE = 'prediction-training';
const NIGHTLY_JOB_ID = 'nightly';

export interface TrainingJobResult {
  model_version: string | null;
  skipped?: string;
}

export interface TrainingQueueOptions {
  prefix: string;
  producer: Redis;
  workerConnection: Redis;
  db: Database;
  registry: ModelRegistry;
  executor: ForestExecutor;
  minRows: number;
  logger: Logger;
}

export class TrainingQueue {
  readonly queue: Queue;
  readonly worker: Worker;

  constructor(private readonly options: TrainingQueueOptions) {
    this.queue = new Queue(TRAINING_QUEUE, { connection: options.producer, prefix: options.prefix });
    this.worker = new Worker(TRAINING_QUEUE, (job) => this.process(job), {
      connection: options.workerConnection,
      prefix: options.prefix,
      concurrency: 1,
      autorun: false,
    });
    this.queue.on('error', (err) => options.logger.warn({ err: { message: err.message } }, 'training queue error'));
    this.worker.on('error', (err) => options.logger.warn({ err: { message: err.message } }, 'training worker error'));
    this.worker.on('failed', (job, err) => options.logger.error({ jobId: job?.id, err: { message: err.message } }, 'training job failed'));
  }

  private async process(job: Job): Promise<TrainingJobResult> {
    // A malformed payload is a bug in the producer, not a reason to retry.
    const request = TrainModelRequest.parse(job.data ?? {});
    const log = this.options.logger.child({ jobId: job.id });
    log.info({ request }, 'training from the database');
    try {
      const model = await trainFromDatabase(this.options.db, {
        trees: request.trees,
        seed: request.seed,
        minRows: this.options.minRows,
        executor: this.options.executor,
      });
      await this.options.registry.publish(model);
      log.info({ version: model.info.version, holdout: model.metadata.holdout }, 'trained and published');
      return { model_version: model.info.version };
    } catch (err) {
      // Too little data is an answer, not a failure: the current model stays.
      if (err instanceof NotEnoughTrainingData) {
        log.warn({ reason: err.message }, 'training skipped, the current model stays');
        return { model_version: null, skipped: err.message };
      }
      throw err;
    }
  }

  async enqueue(request: TrainModelRequest): Promise<string> {
    const job = await this.queue.add('train', request, {
      attempts: 1,
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    });
    if (!job.id) throw new Error('the queue gave the training job no id');
    return job.id;
  }

  /** Registers (or updates) the repeatable nightly run; "off" removes it. */
  async scheduleNightly(cron: string): Promise<void> {
    if (cron === 'off') {
      await this.queue.removeJobScheduler(NIGHTLY_JOB_ID);
      return;
    }
    await this.queue.upsertJobScheduler(NIGHTLY_JOB_ID, { pattern: cron, tz: 'UTC' }, { name: 'train', data: TrainModelRequest.parse({}) });
  }

  async status(jobId: string): Promise<TrainingJobResponse | undefined> {
    const job = await this.queue.getJob(jobId);
    if (!job) return undefined;
    const state = await job.getState();
    const result = job.returnvalue as TrainingJobResult | undefined;
    const known = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
    return {
      job_id: jobId,
      state: (known as readonly string[]).includes(state) ? (state as (typeof known)[number]) : 'unknown',
      model_version: result?.model_version ?? null,
      error: job.failedReason ?? result?.skipped ?? null,
    };
  }

  run(): void {
    void this.worker.run().catch((err: Error) => this.options.logger.error({ err: { message: err.message } }, 'training worker stopped'));
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
