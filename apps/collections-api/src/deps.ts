import { Authenticator, KeyRevocations, TenantChanges, keyRevocationChannel, tenantChangeChannel } from '@recoup/auth';
import { ComplianceService } from '@recoup/compliance';
import type { ProviderDecision } from '@recoup/config';
import { IdempotencyStore } from '@recoup/idempotency';
import { createPaymentLinks, type PaymentLinks } from '@recoup/providers/payments';
import { createCallRecordings } from '@recoup/providers/telephony';
import { JobProducer, closeRedis, createRedis, type Redis } from '@recoup/queue';
import { RateLimiter } from '@recoup/rate-limit';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { CollectionsPipeline } from './collections/collections-pipeline';
import { CollectionsScheduler } from './collections/collections-scheduler';
import { StatementEscalation } from './collections/statement-escalation';
import { EscalationService } from './collections/escalation.service';
import { StrategyService } from './collections/strategy.service';
import { SERVICE, type Config } from './config';
import { TenantDirectory } from './http/tenant-context';
import { InvoiceReader } from './invoices/invoice.repository';
import { PaymentEventsService } from './payments/payment-events.service';
import { RecordingVault, parseRecordingKey, type CollectionsDeps } from '@recoup/collections';
import { RetentionRunner, RetentionScheduler } from './data-rights/retention-scheduler';
import { PaymentPlanService } from './payments/payment-plan.service';
import { createAccountingDeps, type AccountingDeps } from './connections/accounting.deps';
import { registerBusinessMetrics } from '@recoup/observability';
import { readBusinessCounts } from './metrics/business-counts';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  authenticator: Authenticator;
  tenants: TenantDirectory;
  invoices: InvoiceReader;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  producer: JobProducer;
  compliance: ComplianceService;
  paymentLinks: PaymentLinks;
  stripeMode: 'live' | 'sandbox';
  /** The collections core's dependencies (every invoice change is one of its use cases). */
  collections: CollectionsDeps;
  paymentEvents: PaymentEventsService;
  strategy: StrategyService;
  escalation: EscalationService;
  plans: PaymentPlanService;
  scheduler: CollectionsScheduler;
  pipeline: CollectionsPipeline;
  workerRedis: Redis;
  /** The daily retention job (RETENTION_CRON) and the runner it and POST /api/admin/retention/run share. */
  retention: { scheduler: RetentionScheduler; runner: RetentionRunner };
  /** Recordings at the telephony provider: deleted by the retention job and at a debtor's erasure. */
  callRecordings: ReturnType<typeof createCallRecordings>;
  /** Recordings stored encrypted at rest; only when RECORDING_ENCRYPTION_KEY is set. */
  recordingVault?: RecordingVault;
  /** Accounting connections (Xero, QuickBooks, sandbox books), their sync worker and write-backs. */
  accounting: AccountingDeps;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[]): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  const { db, logger } = core;
  const stripeMode = providers.find((p) => p.name === 'stripe')?.mode ?? 'sandbox';
  // Revoked and rotated keys are announced to every service (and heard here): libs/auth README.
  const revocationsRedis = createRedis(config.REDIS_URL, 'worker', logger);
  const channel = keyRevocationChannel(config.QUEUE_PREFIX);
  const revocations = new KeyRevocations({ publisher: core.redis, subscriber: revocationsRedis, channel, logger });
  const authenticator = new Authenticator({
    // A gateway taking no real money issues rcp_test_ keys (both kinds are accepted everywhere).
    keys: { revocations, sandbox: stripeMode === 'sandbox' },
    db,
    adminApiKey: config.ADMIN_API_KEY,
    jwt:
      config.AUTH_JWKS_URL && config.AUTH_JWT_ISSUER && config.AUTH_JWT_AUDIENCE
        ? { jwksUrl: config.AUTH_JWKS_URL, issuer: config.AUTH_JWT_ISSUER, audience: config.AUTH_JWT_AUDIENCE }
        : undefined,
  });
  // Tenants are cached 30 s per process; a change through any replica is announced on the same subscriber connection.
  const tenantChanges = new TenantChanges({
    publisher: core.redis,
    subscriber: revocationsRedis,
    channel: tenantChangeChannel(config.QUEUE_PREFIX),
    logger,
  });
  const tenants = new TenantDirectory(db, { changes: tenantChanges });
  const invoices = new InvoiceReader(config.DATABASE_URL);
  const limiter = new RateLimiter(core.redis, { logger, registry: core.metrics.registry });
  const idempotency = new IdempotencyStore(core.redis, { prefix: `${config.QUEUE_PREFIX}:idempotency` });
  const producer = new JobProducer(core.redis, config.QUEUE_PREFIX);
  const compliance = new ComplianceService({ db });
  const paymentLinks = createPaymentLinks({
    mode: stripeMode,
    STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY,
    STRIPE_API_BASE_URL: config.STRIPE_API_BASE_URL,
    publicBaseUrl: config.COLLECTIONS_API_PUBLIC_URL,
  });
  const collections: CollectionsDeps = { db, producer, logger };
  const paymentEvents = new PaymentEventsService({ db, collections, logger });
  const strategy = new StrategyService({
    db,
    compliance,
    predictionUrl: config.PREDICTION_URL,
    internalToken: config.INTERNAL_API_TOKEN,
    timeoutMs: config.PREDICTION_TIMEOUT_MS,
    logger,
  });
  const escalation = new EscalationService({ db, compliance, limiter, producer, logger });
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger);
  const scheduler = new CollectionsScheduler({ producer: core.redis, workerConnection: workerRedis, prefix: config.QUEUE_PREFIX, logger });
  const plans = new PaymentPlanService({ db, producer, scheduler, escalation, tenants, logger });
  const statements = new StatementEscalation({ db, compliance, limiter, producer, logger });
  const pipeline = new CollectionsPipeline({ db, tenants, strategy, escalation, statements, logger });
  const twilioMode = providers.find((p) => p.name === 'twilio')?.mode ?? 'sandbox';
  const callRecordings = createCallRecordings({ mode: twilioMode, db, ...config });
  const retention = {
    scheduler: new RetentionScheduler({ producer: core.redis, workerConnection: workerRedis, prefix: config.QUEUE_PREFIX, logger }),
    runner: new RetentionRunner({
      db,
      logger,
      registry: core.metrics.registry,
      recordings: callRecordings,
    }),
  };
  const recordingVault = config.RECORDING_ENCRYPTION_KEY
    ? new RecordingVault(db, parseRecordingKey(config.RECORDING_ENCRYPTION_KEY))
    : undefined;
  core.health.stripe = () => paymentLinks.ping();
  registerBusinessMetrics(core.metrics.registry, () => readBusinessCounts(db));
  const accounting = createAccountingDeps({
    config,
    production: config.NODE_ENV === 'production',
    db,
    collections,
    producer: core.redis,
    workerConnection: workerRedis,
    logger,
  });
  return {
    ...core,
    config,
    authenticator,
    tenants,
    invoices,
    limiter,
    idempotency,
    producer,
    compliance,
    paymentLinks,
    stripeMode,
    collections,
    paymentEvents,
    strategy,
    escalation,
    plans,
    scheduler,
    pipeline,
    workerRedis,
    retention,
    callRecordings,
    recordingVault,
    accounting,
    async close() {
      await accounting.scheduler.close().catch(() => undefined);
      await retention.scheduler.close().catch(() => undefined);
      await revocations.close();
      await tenantChanges.close();
      await closeRedis(revocationsRedis);
      await scheduler.close().catch(() => undefined);
      await producer.close().catch(() => undefined);
      await closeRedis(workerRedis);
      await invoices.close().catch(() => undefined);
      await core.close();
    },
  };
}

/** Starts the automatic collections worker and its daily schedule (main.ts, and tests that need it). */
export async function startCollections(deps: Deps): Promise<void> {
  await deps.scheduler.scheduleDaily(deps.config.COLLECTIONS_SCAN_CRON);
  deps.scheduler.start({
    scanAll: () => deps.pipeline.scanAll(),
    scanInvoice: (id) => deps.pipeline.scanInvoice(id),
    checkInstalment: (id) => deps.plans.checkInstalment(id),
  });
}

/** Starts the retention worker and its daily schedule (main.ts). */
export async function startRetention(deps: Deps): Promise<void> {
  await deps.retention.scheduler.scheduleDaily(deps.config.RETENTION_CRON);
  deps.retention.scheduler.start(() => deps.retention.runner.runAll());
}
