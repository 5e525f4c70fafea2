import { Authenticator, KeyRevocations, TenantChanges, keyRevocationChannel, requireAuth, tenantChangeChannel } from '@recoup/auth';
import { ComplianceService } from '@recoup/compliance';
import type { ProviderDecision } from '@recoup/config';
import { HttpProblem } from '@recoup/http';
import { IdempotencyStore } from '@recoup/idempotency';
import { createIntentClassifier, type IntentClassifier } from '@recoup/providers/intent';
import { SandboxIvrPhone, createCallPlacer, type CallPlacer, type SandboxCallDriver } from '@recoup/providers/telephony';
import { JobProducer, closeRedis, createJobWorker, createRedis, QUEUES, type Redis, type Worker } from '@recoup/queue';
import { RateLimiter, TenantLimitsDirectory, apiRateLimit } from '@recoup/rate-limit';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import type { RequestHandler } from 'express';
import { AgreedPlanRecorder } from './calls/agreed-plan.recorder';
import { CallEvents } from './calls/call-events';
import { createStreamRegistry, type StreamRegistry } from './calls/calls.routes';
import { IvrCallRepository } from './calls/ivr-call.repository';
import { IvrCallService } from './calls/ivr-call.service';
import { SERVICE, type Config } from './config';
import type { CollectionPolicy } from './negotiation/policy';
import { IvrCallProcessor } from './outbound/ivr-call.processor';
import { OutboundCallService } from './outbound/outbound.service';
import { pickDebtorScript } from './sandbox/debtor-scripts';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  repository: IvrCallRepository;
  events: CallEvents;
  streams: StreamRegistry;
  calls: IvrCallService;
  outbound: OutboundCallService;
  processor: IvrCallProcessor;
  idempotency: IdempotencyStore;
  /** Every tenant route's guards: the bearer credential, then the tenant's api_calls tier limit. */
  auth: RequestHandler[];
  /** Revoked and rotated API keys, heard from every service of the stack (they end this process's streams). */
  revocations: KeyRevocations;
  producer: JobProducer;
  /** Sandbox only: the scripted debtors who answer calls (undefined with Twilio, or when a test drives calls). */
  sandboxPhone?: SandboxIvrPhone;
  worker: Worker;
  workerRedis: Redis;
}

/** What tests (and a sandbox demo) swap in: the fake Twilio that drives calls, a fixed clock, a classifier. */
export interface DepsOverrides {
  sandboxDriver?: SandboxCallDriver;
  placer?: CallPlacer;
  classifier?: IntentClassifier;
  clock?: () => Date;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[], overrides: DepsOverrides = {}): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  const mode = (name: string) => providers.find((p) => p.name === name)?.mode ?? 'sandbox';
  const classifier =
    overrides.classifier ??
    createIntentClassifier({
      mode: mode('anthropic'),
      apiKey: config.ANTHROPIC_API_KEY,
      model: config.ANTHROPIC_MODEL,
      baseUrl: config.ANTHROPIC_BASE_URL,
      timeoutMs: config.IVR_CLASSIFIER_TIMEOUT_MS,
      onFallback: (reason, err) =>
        core.logger.warn({ reason, err: { message: (err as Error).message } }, 'claude did not answer; the local classifier did'),
    });
  // Sandbox without a driver from a test: the scripted sandbox phone answers every call, through our signed webhooks.
  // Without an auth token every webhook is refused (fail closed), so there is nobody to drive them.
  const sandboxPhone =
    mode('twilio') === 'sandbox' && !overrides.placer && !overrides.sandboxDriver && config.TWILIO_AUTH_TOKEN
      ? new SandboxIvrPhone({
          authToken: config.TWILIO_AUTH_TOKEN,
          pickScript: pickDebtorScript,
          // The sandbox debtor knows their own postcode (or the reference on their letter): the identity answer.
          identityFor: async (call) => {
            const id = /ivr_call_id=([0-9a-f-]{36})/.exec(call.answerUrl)?.[1];
            const row = id
              ? await core.db.ivrCall.findUnique({ where: { id }, include: { client: true, invoice: { select: { reference: true } } } })
              : null;
            return row?.client?.postcode ?? row?.invoice?.reference.replace(/[^A-Za-z0-9]/g, '').slice(-4);
          },
          logger: core.logger,
        })
      : undefined;
  const placer =
    overrides.placer ??
    createCallPlacer({
      mode: mode('twilio'),
      db: core.db,
      channel: 'ivr_call',
      TWILIO_ACCOUNT_SID: config.TWILIO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: config.TWILIO_AUTH_TOKEN,
      TWILIO_API_KEY_SID: config.TWILIO_API_KEY_SID,
      TWILIO_API_KEY_SECRET: config.TWILIO_API_KEY_SECRET,
      TWILIO_FROM_NUMBER: config.TWILIO_FROM_NUMBER,
      TWILIO_API_BASE_URL: config.TWILIO_API_BASE_URL,
      sandboxDriver: overrides.sandboxDriver ?? sandboxPhone,
    });
  const defaultPolicy: CollectionPolicy = {
    minMonthlyPence: config.IVR_MIN_MONTHLY_PENCE,
    maxMonths: config.IVR_MAX_TERM_MONTHS,
    settlementDiscountPercent: config.IVR_SETTLEMENT_DISCOUNT_PERCENT || null,
    defaultMonths: Math.min(config.IVR_DEFAULT_TERM_MONTHS, config.IVR_MAX_TERM_MONTHS),
  };
  const repository = new IvrCallRepository(core.db);
  const eventsRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const events = new CallEvents({
    publisher: core.redis,
    subscriber: eventsRedis,
    channel: `${config.QUEUE_PREFIX}:ivr:call-events`,
    logger: core.logger,
  });
  const compliance = new ComplianceService({ db: core.db, clock: overrides.clock });
  const producer = new JobProducer(core.redis, config.QUEUE_PREFIX);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const processor = new IvrCallProcessor({
    db: core.db,
    repository,
    compliance,
    placer,
    events,
    logger: core.logger,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    defaultPolicy,
    timeLimitSeconds: 600,
  });
  const worker = createJobWorker(
    QUEUES.ivrCalls,
    { 'ivr-call.place': (data, job) => processor.process(data, job.id ?? '', job) },
    { connection: workerRedis, prefix: config.QUEUE_PREFIX, concurrency: config.IVR_WORKER_CONCURRENCY, logger: core.logger },
  );
  // The call-events subscriber connection also hears key revocations: one subscriber connection per process.
  const revocations = new KeyRevocations({
    publisher: core.redis,
    subscriber: eventsRedis,
    channel: keyRevocationChannel(config.QUEUE_PREFIX),
    logger: core.logger,
  });
  const authenticator = new Authenticator({ db: core.db, adminApiKey: config.ADMIN_API_KEY, keys: { revocations } });
  const streams = createStreamRegistry();
  authenticator.keys.onRevoked(({ keyIds }) => streams.closeKeys(keyIds));
  const limiter = new RateLimiter(core.redis, { logger: core.logger, registry: core.metrics.registry });
  const tenantLimits = new TenantLimitsDirectory(core.db);
  // A tenant's tier or limits changed through the gateway (any replica): drop it here at once.
  const tenantChanges = new TenantChanges({
    publisher: core.redis,
    subscriber: eventsRedis,
    channel: tenantChangeChannel(config.QUEUE_PREFIX),
    logger: core.logger,
  });
  tenantChanges.on((tenantId) => (tenantId ? tenantLimits.invalidate(tenantId) : tenantLimits.clear()));
  // Like the gateway: a tenant credential counts against its tier's api_calls; the admin key is not limited.
  const tierLimit = apiRateLimit({
    limiter,
    tenant: async (req) => {
      if (req.auth?.kind !== 'tenant') return undefined;
      const limits = await tenantLimits.get(req.auth.tenantId);
      if (!limits) throw HttpProblem.forbidden('The credential names a tenant that does not exist');
      return limits;
    },
  });
  return {
    ...core,
    config,
    repository,
    events,
    streams,
    calls: new IvrCallService({
      collections: { db: core.db, producer, logger: core.logger, clock: overrides.clock },
      repository,
      classifier,
      events,
      logger: core.logger,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      voice: { voice: config.IVR_VOICE, language: 'en-GB' },
      maxRetries: config.IVR_MAX_RETRIES,
      specialistNumber: config.IVR_SPECIALIST_NUMBER,
      plans: new AgreedPlanRecorder({ db: core.db, producer, logger: core.logger, clock: overrides.clock }),
      // Inbound calls decide with the same engine and the operator's IVR_* policy as outbound ones.
      compliance,
      defaultPolicy,
      callbackNumber: config.TWILIO_FROM_NUMBER,
      // Recording after the notice, stopped on objection; a machine's message after its beep (issue 15).
      recorder: config.IVR_RECORDING
        ? {
            start: async (callSid, ivrCallId) =>
              (
                await placer.startRecording(callSid, {
                  statusCallbackUrl: `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/status?ivr_call_id=${ivrCallId}`,
                })
              ).recordingSid,
            stop: async (callSid, recordingSid) => void (await placer.setRecordingStatus(callSid, recordingSid, 'stopped')),
          }
        : undefined,
      redirect: placer.redirect ? (callSid, twiml) => placer.redirect?.(callSid, twiml) ?? Promise.resolve() : undefined,
      hangup: (callSid) => placer.hangup(callSid),
    }),
    outbound: new OutboundCallService({
      db: core.db,
      compliance,
      limiter,
      producer,
      estimatedCostPence: config.IVR_CALL_COST_PENCE,
      clock: overrides.clock,
    }),
    processor,
    idempotency: new IdempotencyStore(core.redis, { prefix: `${config.QUEUE_PREFIX}:idempotency` }),
    auth: [requireAuth({ authenticator, roles: ['admin', 'tenant'] }), tierLimit],
    revocations,
    producer,
    sandboxPhone,
    worker,
    workerRedis,
    async close() {
      streams.closeAll();
      await revocations.close();
      await tenantChanges.close();
      await worker.close();
      await sandboxPhone?.close();
      await producer.close();
      await closeRedis(workerRedis);
      await closeRedis(eventsRedis);
      await core.close();
    },
  };
}
