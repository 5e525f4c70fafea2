import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { ComplianceService } from '@recoup/compliance';
import type { ProviderDecision } from '@recoup/config';
import { IdempotencyStore } from '@recoup/idempotency';
import { tracedPort } from '@recoup/observability';
import { createEmailSender, type EmailSender } from '@recoup/providers/email';
import { createLetterSender, type LetterSender } from '@recoup/providers/letters';
import { createSmsSender, type SmsSender } from '@recoup/providers/sms';
import { QUEUES, closeRedis, createRedis, type Redis, type Worker } from '@recoup/queue';
import { RateLimiter } from '@recoup/rate-limit';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { SERVICE, type Config } from './config';
import { DeadLetters } from './delivery/dead-letter';
import { DeliveryService } from './delivery/delivery.service';
import { LimitWarnings } from './delivery/limit-warnings';
import { createNotificationWorker } from './delivery/notification-worker';
import { notificationProcessors } from './delivery/processors';
import { StatementDelivery } from './statements/statement-delivery';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  worker: Worker;
  workerRedis: Redis;
  /** The notifications queue (for metrics and the board) and its dead-letter queue. */
  notifications: Queue;
  deadLetters: DeadLetters;
  delivery: DeliveryService;
  idempotency: IdempotencyStore;
  email: EmailSender;
  sms: SmsSender;
  letters: LetterSender;
}

export interface DepsOverrides {
  email?: EmailSender;
  sms?: SmsSender;
  letters?: LetterSender;
  clock?: () => Date;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[], overrides: DepsOverrides = {}): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  const modeOf = (name: string) => providers.find((p) => p.name === name)?.mode ?? 'sandbox';
  // tracedPort: a CLIENT span per provider call while tracing is on (the port itself otherwise).
  const email = tracedPort(overrides.email ?? createEmailSender({ mode: modeOf('sendgrid'), ...config }, core.db), 'sendgrid');
  const sms = tracedPort(overrides.sms ?? createSmsSender({ mode: modeOf('twilio'), ...config }, core.db), 'twilio');
  // Stannp when live; the sandbox keeps each PDF in sandbox_messages.document.
  const letters = tracedPort(overrides.letters ?? createLetterSender({ mode: modeOf('stannp'), ...config }, core.db), 'stannp');
  for (const [channel, sender] of [
    ['email', email],
    ['sms', sms],
    ['letter', letters],
  ] as const)
    core.logger.info({ channel, provider: sender.provider }, 'notification channel provider');

  const workerRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const notifications = new Queue(QUEUES.notifications, { connection: core.redis, prefix: config.QUEUE_PREFIX });
  notifications.on('error', () => undefined); // surfaced by /health's redis check
  const deadLetters = new DeadLetters(core.redis, config.QUEUE_PREFIX);
  const limiter = new RateLimiter(core.redis, { logger: core.logger, registry: core.metrics.registry });
  const deliveryOptions = {
    db: core.db,
    compliance: new ComplianceService({ db: core.db, clock: overrides.clock }),
    limiter,
    email,
    sms,
    letters,
    deadLetters,
    warnings: new LimitWarnings(email, core.logger),
    logger: core.logger,
    publicUrl: config.NOTIFIER_PUBLIC_URL,
    linkBaseUrl: config.NOTIFIER_LINK_BASE_URL,
    retryBaseMs: config.NOTIFIER_RETRY_BASE_MS,
    maxSendAttempts: config.NOTIFIER_MAX_SEND_ATTEMPTS,
    clock: overrides.clock,
  };
  const delivery = new DeliveryService(deliveryOptions);
  // statement.send: one message for several invoices of a debtor, with the same providers, rules and limits.
  const statements = new StatementDelivery(deliveryOptions);
  const worker = createNotificationWorker(notificationProcessors(delivery, core.logger, statements), {
    connection: workerRedis,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.NOTIFIER_LOCK_MS,
    logger: core.logger,
  });
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in the notifications queues by state',
    labelNames: ['queue', 'state'] as const,
    registers: [core.metrics.registry],
    async collect() {
      try {
        for (const q of [notifications, deadLetters.queue]) {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
        }
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
    notifications,
    deadLetters,
    delivery,
    idempotency: new IdempotencyStore(core.redis, { prefix: `${config.QUEUE_PREFIX}:webhooks` }),
    email,
    sms,
    letters,
    async close() {
      // A worker holds a blocking connection from construction, even never run; close() is idempotent.
      await worker.close();
      await Promise.allSettled([notifications.close(), deadLetters.close()]);
      await closeRedis(workerRedis);
      await core.close();
    },
  };
}
