import { randomBytes } from 'node:crypto';
import { ComplianceService } from '@recoup/compliance';
import type { ProviderDecision } from '@recoup/config';
import { IdempotencyStore } from '@recoup/idempotency';
import type { CallModel } from '@recoup/db';
import { createPaymentLinks, type PaymentLinks } from '@recoup/providers/payments';
import {
  OpenAiChatAgent,
  OpenAiRealtimeConnector,
  ScriptedChatAgent,
  type ChatAgent,
  type RealtimeVoiceConnector,
} from '@recoup/providers/realtime-voice';
import { isSignedTwilioUpgrade } from '@recoup/providers/twilio';
import { createCallPlacer, sayAndHangupTwiml, type CallPlacer, type SandboxCallDriver } from '@recoup/providers/telephony';
import { QUEUES, closeRedis, createJobWorker, createRedis, JobProducer, type Redis, type Worker } from '@recoup/queue';
import { Counter, Gauge } from 'prom-client';
import { RateLimiter } from '@recoup/rate-limit';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { FakeOpenAiRealtimeServer, FakeTwilioVoice } from '@recoup/testing';
import { Keypad } from './bridge/keypad';
import { CallRegistry } from './bridge/media-streams';
import { ReplicaCallRegistry, callLegChannel } from './replicas/replica-call-registry';
import type { CallBridge } from './bridge/call-bridge';
import { CallService } from './calls/call-service';
import { CallTools } from './calls/call-tools';
import { LiveCallControl } from './calls/live-call-control';
import { SERVICE, type Config } from './config';
import { GatherFlow } from './twilio/gather-flow';
import { aiCallProcessor } from './worker/ai-call.processor';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  calls: CallService;
  tools: CallTools;
  /** Recording control and how live calls end (transfer, signposting). */
  live: LiveCallControl;
  registry: CallRegistry;
  gather: GatherFlow;
  placer: CallPlacer;
  producer: JobProducer;
  idempotency: IdempotencyStore;
  /** Verifies (and, in sandbox, signs) Twilio webhooks. */
  twilioAuthToken: string;
  worker: Worker;
  workerRedis: Redis;
  /** Sandbox only: the in-process fake Twilio that dials our webhooks, and the fake OpenAI it talks to. */
  fakeTwilio?: FakeTwilioVoice;
  fakeOpenAi?: FakeOpenAiRealtimeServer;
  /** Starts what needs a port before calls flow (the sandbox fake OpenAI). */
  start(): Promise<void>;
}

export interface DepsOverrides {
  clock?: () => Date;
  /** Tests: a driver of their own (a FakeTwilioVoice with a scripted debtor). */
  sandboxDriver?: SandboxCallDriver;
  connector?: RealtimeVoiceConnector;
  chatAgent?: ChatAgent;
  paymentLinks?: PaymentLinks;
}

const modeOf = (providers: ProviderDecision[], name: string) => providers.find((p) => p.name === name)?.mode ?? 'sandbox';

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[], overrides: DepsOverrides = {}): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  const twilioMode = modeOf(providers, 'twilio');
  const openaiMode = modeOf(providers, 'openai');
  // Sandbox without a token: one per process, shared with the in-process fake Twilio that signs.
  const twilioAuthToken = config.TWILIO_AUTH_TOKEN ?? (twilioMode === 'sandbox' ? randomBytes(24).toString('hex') : '');
  if (!twilioAuthToken) throw new Error('TWILIO_AUTH_TOKEN is needed to verify Twilio webhooks in live mode');

  let fakeOpenAi: FakeOpenAiRealtimeServer | undefined;
  let openaiBase = config.OPENAI_BASE_URL;
  if (openaiMode === 'sandbox' && !overrides.connector) fakeOpenAi = new FakeOpenAiRealtimeServer({ silenceFrames: 25 });
  const connector =
    overrides.connector ??
    new OpenAiRealtimeConnector({
      apiKey: config.OPENAI_API_KEY ?? 'sandbox',
      baseUrl: () => openaiBase ?? 'https://api.openai.com',
      model: config.OPENAI_REALTIME_MODEL,
      provider: openaiMode === 'live' ? 'openai' : 'sandbox',
    });
  const chatAgent =
    overrides.chatAgent ??
    (openaiMode === 'live' && config.OPENAI_API_KEY
      ? new OpenAiChatAgent({ apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_CHAT_MODEL })
      : new ScriptedChatAgent());

  const fakeTwilio = twilioMode === 'sandbox' && !overrides.sandboxDriver ? new FakeTwilioVoice({ authToken: twilioAuthToken }) : undefined;
  const placer = createCallPlacer({
    mode: twilioMode,
    db: core.db,
    channel: 'ai_call',
    ...config,
    TWILIO_AUTH_TOKEN: config.TWILIO_AUTH_TOKEN,
    sandboxDriver: overrides.sandboxDriver ?? fakeTwilio,
  });

  const compliance = new ComplianceService({ db: core.db, clock: overrides.clock });
  const rateLimiter = new RateLimiter(core.redis, {
    logger: core.logger,
    registry: core.metrics.registry,
    clock: overrides.clock ? () => (overrides.clock as () => Date)().getTime() : undefined,
  });
  const producer = new JobProducer(core.redis, config.QUEUE_PREFIX);
  const paymentLinks =
    overrides.paymentLinks ??
    createPaymentLinks({
      mode: modeOf(providers, 'stripe'),
      STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY,
      STRIPE_API_BASE_URL: config.STRIPE_API_BASE_URL,
      publicBaseUrl: config.COLLECTIONS_API_PUBLIC_URL,
    });
  const idempotency = new IdempotencyStore(core.redis, { prefix: `${config.QUEUE_PREFIX}:webhooks` });

  const outcomes = new Counter({
    name: 'voice_calls_total',
    help: 'AI calls by outcome, counted when Twilio reports the final status',
    labelNames: ['outcome'] as const,
    registers: [core.metrics.registry],
  });
  const spend = new Counter({
    name: 'voice_call_cost_pence_total',
    help: 'Actual cost of AI calls (pence)',
    registers: [core.metrics.registry],
  });
  const publicUrl = (path: string) => config.PUBLIC_BASE_URL.replace(/\/+$/, '') + path;
  // Recording after the notice, stopped on objection; how a call ends (transfer, signposting) — issue 15.
  const live = new LiveCallControl({
    db: core.db,
    placer,
    logger: core.logger,
    recording: config.CALL_RECORDING,
    recordingCallbackUrl: (callId) => publicUrl(`/api/webhooks/twilio/voice/status?call=${callId}`),
  });
  const calls = new CallService({
    db: core.db,
    compliance,
    rateLimiter,
    placer,
    logger: core.logger,
    prices: {
      twilioCallPerMin: config.PRICE_TWILIO_CALL_PER_MIN,
      openaiPerMin: config.PRICE_OPENAI_REALTIME_PER_MIN,
      recordingPerMin: config.PRICE_RECORDING_PER_MIN,
      sms: config.PRICE_SMS,
      openaiTokens: {
        audioInPerM: config.PRICE_OPENAI_AUDIO_IN_PER_MTOK,
        audioOutPerM: config.PRICE_OPENAI_AUDIO_OUT_PER_MTOK,
        textInPerM: config.PRICE_OPENAI_TEXT_IN_PER_MTOK,
        textOutPerM: config.PRICE_OPENAI_TEXT_OUT_PER_MTOK,
        cachedInPerM: config.PRICE_OPENAI_CACHED_IN_PER_MTOK,
      },
    },
    live,
    saveTurn: (callId, speaker, text, itemId) => saveTurn(callId, speaker, text, itemId),
    publicBaseUrl: config.PUBLIC_BASE_URL,
    payPageBaseUrl: config.COLLECTIONS_API_PUBLIC_URL,
    maxCallSeconds: config.CALL_MAX_SECONDS,
    recording: config.CALL_RECORDING,
    machineDetection: config.CALL_MACHINE_DETECTION,
    flow: config.AI_CALL_FLOW,
    callbackNumber: config.TWILIO_FROM_NUMBER,
    onCallEnded: (outcome, pence) => {
      outcomes.inc({ outcome });
      spend.inc(pence);
    },
    clock: overrides.clock,
  });
  const tools = new CallTools({
    db: core.db,
    compliance,
    producer,
    paymentLinks,
    logger: core.logger,
    live,
    transferNumber: config.CALL_TRANSFER_NUMBER,
    callerId: config.TWILIO_FROM_NUMBER,
    transferActionUrl: (callId) => publicUrl(`/api/webhooks/twilio/voice/transfer?call=${callId}`),
    saveTurn: (callId, speaker, text, itemId) => saveTurn(callId, speaker, text, itemId),
    clock: overrides.clock,
  });
  // Keys the caller presses: gathered into sequences per call; 0 asks for a person, digits before identity are its
  // answer (checked by our code). Other keys reach the model as the caller's words.
  const keypads = new WeakMap<CallBridge, { keypad: Keypad; sequences: number }>();
  const onDtmf = (call: CallModel, digit: string, bridge: CallBridge): boolean => {
    let entry = keypads.get(bridge);
    if (!entry) {
      const state = { sequences: 0 } as { keypad: Keypad; sequences: number };
      state.keypad = new Keypad((digits, terminator) => {
        const sequence = ++state.sequences;
        void tools
          .onKeys(call, digits, sequence)
          .then(async (result) => {
            if (!result)
              return bridge.tellAgent(`[The caller keyed ${[...digits].join(' ')}${terminator ? ` then ${terminator}` : ''}]`, 'user');
            if (digits === '0' && result.endCall) {
              await saveTurn(call.id, 'user', '[pressed 0 for a person]', `dtmf:${call.id}:${sequence}`);
              return bridge.end('the caller pressed 0 for a person');
            }
            // The identity answer is never stored, only that one was keyed.
            await saveTurn(call.id, 'user', '[identity answer keyed: withheld]', `dtmf:${call.id}:${sequence}`);
            bridge.tellAgent(`The caller keyed their answer to the identity question. verify_identity answered: ${result.message}`);
          })
          .catch((err: Error) => core.logger.warn({ err: { message: err.message }, callId: call.id }, 'keyed answer not handled'));
      });
      entry = state;
      keypads.set(bridge, entry);
    }
    entry.keypad.press(digit);
    return true;
  };

  const saveTurn = async (callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null) => {
    if (!text) return;
    // A turn that arrives after the debtor was erased (a call still draining) is not written back (UK GDPR Art. 17).
    if (!(await core.db.call.count({ where: { id: callId, client: { erasedAt: null } } }))) return;
    if (itemId && (await core.db.callTurn.findFirst({ where: { callId, itemId } }))) return;
    // Sequence = next free number; a concurrent turn that takes it retries with the next.
    for (let attempt = 0; attempt < 5; attempt++) {
      const last = await core.db.callTurn.findFirst({ where: { callId }, orderBy: { sequence: 'desc' }, select: { sequence: true } });
      try {
        await core.db.callTurn.create({ data: { callId, sequence: (last?.sequence ?? 0) + 1, speaker, text, itemId } });
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002') throw err;
      }
    }
  };

  // Twilio's webhooks and media stream reach any replica: pre-opened legs and discards are coordinated over Redis.
  const legsRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const registry = new ReplicaCallRegistry(
    {
      connector,
      tools,
      logger: core.logger,
      voice: config.OPENAI_REALTIME_VOICE,
      maxCallSeconds: config.CALL_MAX_SECONDS,
      saveTurn: (callId, speaker, text, itemId) => saveTurn(callId, speaker, text, itemId),
      onEnded: async (callId, _reason, result) => {
        await calls.finalise(callId, { usage: result.usage, endedBy: 'bridge' });
      },
      hangup: (callId) => live.hangup(callId),
      onDtmf,
      sayAndHangUp: async (callId, text) => {
        const call = await core.db.call.findUnique({ where: { id: callId }, select: { providerCallSid: true } });
        if (!call?.providerCallSid || !placer.redirect) throw new Error('the call cannot be redirected');
        await placer.redirect(call.providerCallSid, sayAndHangupTwiml([text]));
      },
      claimStream: (callId, token) => calls.claimStream(callId, token),
      loadCall: (callId) => calls.findById(callId),
      verifyUpgrade: (req) => isSignedTwilioUpgrade(req, { authToken: twilioAuthToken, publicBaseUrl: config.PUBLIC_BASE_URL }),
    },
    { publisher: core.redis, subscriber: legsRedis, channel: callLegChannel(config.QUEUE_PREFIX), logger: core.logger },
  );
  new Gauge({
    name: 'voice_calls_live',
    help: 'Calls bridged (or pre-opened while ringing) in this process',
    registers: [core.metrics.registry],
    collect() {
      this.set(registry.size);
    },
  });
  const gather = new GatherFlow({
    db: core.db,
    calls,
    tools,
    agent: chatAgent,
    live,
    logger: core.logger,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    saveTurn,
  });

  const workerRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const worker = createJobWorker(
    QUEUES.aiCalls,
    { 'ai-call.place': aiCallProcessor(core.db, calls, core.logger) },
    { connection: workerRedis, prefix: config.QUEUE_PREFIX, concurrency: config.AI_CALL_WORKER_CONCURRENCY, logger: core.logger },
  );

  return {
    ...core,
    config,
    calls,
    tools,
    live,
    registry,
    gather,
    placer,
    producer,
    idempotency,
    twilioAuthToken,
    worker,
    workerRedis,
    fakeTwilio,
    fakeOpenAi,
    async start() {
      await registry.ready();
      if (fakeOpenAi) {
        await fakeOpenAi.start();
        openaiBase = fakeOpenAi.url;
      }
    },
    async close() {
      fakeTwilio?.close();
      await registry.drain(0);
      await worker.close().catch(() => undefined);
      await producer.close().catch(() => undefined);
      await closeRedis(workerRedis);
      await closeRedis(legsRedis);
      await fakeOpenAi?.stop();
      await core.close();
    },
  };
}
