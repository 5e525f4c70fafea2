import { Gauge } from 'prom-client';
import type { ProviderDecision } from '@recoup/config';
import { QUEUES, closeRedis, createJobWorker, createRedis, JobProducer, type Redis, type Worker } from '@recoup/queue';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { SERVICE, type Config } from './config';
import { notificationProcessors } from './delivery/processors';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  worker: Worker;
  workerRedis: Redis;
  /** Read-only view of the queue, for metrics and the queue board. */
  queues: JobProducer;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[]): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const worker = createJobWorker(QUEUES.notifications, notificationProcessors(), {
    connection: workerRedis,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    logger: core.logger,
  });
  const queues = new JobProducer(core.redis, config.QUEUE_PREFIX);
  const notifications = queues.queue(QUEUES.notifications);
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in the notifications queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [core.metrics.registry],
    async collect() {
      try {
        const counts = await notifications.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: QUEUES.notifications, state }, n);
      } catch {
        // Redis down: /health says so; metrics keep the last values rather than failing the scrape.
      }
    },
  });
  core.health.worker = async () => {
    if (!worker.isRunning()) throw new Error('worker is not running');
  };
  return {
    ...core,
    config,
    worker,
    workerRedis,
    queues,
    async close() {
      await queues.close();
      await closeRedis(workerRedis);
      await core.close();
    },
  };
}
