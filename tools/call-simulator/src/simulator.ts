import { createVoiceAgentClient, unwrap } from '@recoup/client';
import { createInvoice } from '@recoup/collections';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  FakeOpenAiRealtimeServer,
  FakeTwilioVoice,
  FakeTwilioVoiceApi,
  createTestDatabase,
  freePort,
  testQueuePrefix,
  testRedisUrl,
  waitFor,
  type CalleeScript,
  type FakeCallRecord,
  type TestDatabase,
} from '@recoup/testing';

const ROOT = path.resolve(__dirname, '../../..');
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'call-simulator-twilio-token-0123456789';
const INTERNAL_TOKEN = 'call-simulator-internal-token-0123456789';
/** What the simulated debtors' records hold: the postcode they confirm, the invoice they owe. */
export const DEBTOR_POSTCODE = 'SW1A 1AA';
export const INVOICE_AMOUNT_PENCE = 1500_00;

export interface SimulationOptions {
  script: CalleeScript;
  /** Playback clock of the fake phone (20 = real time). */
  frameMs?: number;
  enablePaymentDuringCall?: boolean;
  /** The creditor's number a debtor asking for a person is put through to (tenants.transfer_phone). */
  transferPhone?: string;
  /** Print the voice agent's own log lines. */
  verbose?: boolean;
}

export interface SimulationResult {
  callSid: string;
  status: {
    call_sid: string;
    status: string;
    duration: number | null;
    transcript: string;
    outcome: string | null;
    payment_collected: boolean;
    cost: number;
  };
  /** What the phone line carried, as the fake callee heard it. */
  heard: FakeCallRecord['transcript'];
  /** What an answering machine recorded: the line after its beep (empty when no machine answered). */
  heardAfterBeep: FakeCallRecord['transcript'];
  sms: Array<{ purpose: string; jobId: string | null; variables: Record<string, string> }>;
  toolCalls: Array<{ name: string; allowed: boolean }>;
  /** The call's recordings at (fake) Twilio and the debtor's answer to the recording notice. */
  recordings: FakeCallRecord['recordings'];
  recordingConsent: string | null;
  /** Numbers a transfer rang. */
  dialled: string[];
  /** The debt as the records hold it after the call. */
  invoiceStatus: string;
  debtor: { vulnerable: boolean; stoppedChannels: string[]; disputeOpenedAt: Date | null };
  /** The debt details a disclosure would name (the amount as spoken, the reference): none may reach a stranger. */
  debtDetails: string[];
  /** Barge-in evidence: marks the phone echoed as played, its clears, and the truncations the Realtime leg(s) received. */
  playback: {
    playedMarks: string[];
    clears: FakeCallRecord['clears'];
    truncations: Array<{ item_id: string; audio_end_ms: number }>;
  };
}

export interface SimulatorOptions {
  frameMs?: number;
  verbose?: boolean;
}

/**
 * One voice-agent process (real Twilio and OpenAI adapters, TWILIO_MODE=live and OPENAI_MODE=live) against loopback
 * fakes of Twilio's REST API, its phone network (signed webhooks, Media Streams) and the OpenAI Realtime API, on a
 * throw-away database and queue prefix. Any number of calls run through it (each its own tenant and debtor), so the
 * scripts share one start-up.
 */
export class CallSimulator {
  private t?: TestDatabase;
  private child?: ChildProcess;
  private api?: FakeTwilioVoiceApi;
  private openai?: FakeOpenAiRealtimeServer;
  private voice?: FakeTwilioVoice;
  private baseUrl = '';
  private queuePrefix = '';
  private exited?: Promise<never>;
  private readonly scripts = new Map<string, CalleeScript>();
  private n = 0;

  constructor(private readonly options: SimulatorOptions = {}) {}

  async start(): Promise<this> {
    this.voice = new FakeTwilioVoice({
      authToken: AUTH_TOKEN,
      accountSid: ACCOUNT_SID,
      frameMs: this.options.frameMs ?? 20,
      turnGapMs: 300,
      machineGreetingMs: 1200,
      script: (call) => this.scripts.get(call.to) ?? { answer: 'no-answer', turns: [] },
    });
    this.api = await new FakeTwilioVoiceApi(this.voice).start();
    this.openai = await new FakeOpenAiRealtimeServer({ silenceFrames: 10 }).start();
    this.t = await createTestDatabase();
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.queuePrefix = testQueuePrefix();
    const verbose = this.options.verbose;
    this.child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['apps/voice-agent/src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', verbose ? 'inherit' : 'ignore', verbose ? 'inherit' : 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        LOG_LEVEL: verbose ? 'info' : 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: this.t.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: this.queuePrefix,
        PUBLIC_BASE_URL: this.baseUrl,
        INTERNAL_API_TOKEN: INTERNAL_TOKEN,
        TWILIO_MODE: 'live',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM_NUMBER: '+441615550100',
        TWILIO_API_BASE_URL: this.api.url,
        OPENAI_MODE: 'live',
        OPENAI_API_KEY: 'sk-call-simulator',
        OPENAI_BASE_URL: this.openai.url,
        STRIPE_MODE: 'sandbox',
      },
    });
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.exited = new Promise<never>((_, reject) =>
      this.child?.once('exit', (code) => reject(new Error(`voice-agent exited (${code}): ${stderr}`))),
    );
    this.exited.catch(() => undefined);
    await Promise.race([
      this.exited,
      waitFor(async () => (await fetch(`${this.baseUrl}/health`).catch(() => null))?.ok, {
        timeoutMs: 60_000,
        what: 'voice-agent /health',
      }),
    ]);
    return this;
  }

  /** Places one call to a new debtor who follows `script`, waits until it is final, and reports what happened. */
  async run(o: Omit<SimulationOptions, 'frameMs' | 'verbose'>): Promise<SimulationResult> {
    const { db } = this.t as TestDatabase;
    const voice = this.voice as FakeTwilioVoice;
    const openai = this.openai as FakeOpenAiRealtimeServer;
    const n = ++this.n;
    // Calling hours are switched off for this tenant so the simulator runs at any hour (the rule itself is tested in voice-agent).
    const tenant = await db.tenant.create({
      data: {
        name: `Acme Design Studio ${n}`,
        email: `accounts${n}@acme.example`,
        tier: 'pro',
        complianceOverrides: { contactHours: { enabled: false } },
        transferPhone: o.transferPhone ?? null,
      },
    });
    const name = `John Smith ${n}`;
    const phone = `+4479111${String(23000 + n).padStart(5, '0')}`;
    const client = await db.client.create({
      data: { tenantId: tenant.id, name, kind: 'business', phone, email: `john${n}@northwind.example`, postcode: DEBTOR_POSTCODE },
    });
    this.scripts.set(phone, o.script);
    const due = new Date(Date.now() - 14 * 86_400_000);
    const invoice = await createInvoice(
      { db },
      {
        tenantId: tenant.id,
        clientId: client.id,
        reference: `INV-2024-${String(100 + n).padStart(3, '0')}`,
        amountPence: INVOICE_AMOUNT_PENCE,
        currency: 'GBP',
        issueDate: new Date(due.getTime() - 30 * 86_400_000),
        dueDate: new Date(due.toISOString().slice(0, 10)),
        actor: 'call-simulator',
      },
    );
    // The typed voice-agent client (libs/client); the simulator reads every transcript, a vulnerable debtor's (sensitive) too.
    const voiceAgent = createVoiceAgentClient({
      baseUrl: this.baseUrl,
      token: INTERNAL_TOKEN,
      headers: { 'x-recoup-scope': 'transcripts:sensitive' },
    });
    const placedCall = await voiceAgent.POST('/initiate-call', {
      body: {
        recipient_phone: phone,
        recipient_name: name,
        invoice_reference: invoice.reference,
        amount: INVOICE_AMOUNT_PENCE / 100,
        due_date: invoice.dueDate.toISOString().slice(0, 10),
        days_past_due: 14,
        business_name: tenant.name,
        invoice_id: invoice.id,
        freelancer_id: tenant.id,
        enable_payment_during_call: o.enablePaymentDuringCall ?? true,
      },
    });
    const placed = unwrap(placedCall);
    const callSid = placed.call_sid;
    const exited = this.exited as Promise<never>;
    const record = await Promise.race([
      exited,
      waitFor(() => voice.calls.get(callSid), { what: 'the fake phone to ring' }).then((r) => r.done),
    ]);
    // The bridge keeps the Realtime leg briefly after a hang-up so the caller's last words count; the call is final
    // once this call's legs are closed and the call row was finalised after them.
    const sessionsOfCall = () => openai.sessions.filter((s) => String(s.session?.instructions ?? '').includes(`May I speak to ${name}?`));
    await waitFor(() => sessionsOfCall().every((x) => x.closed), { timeoutMs: 20_000, what: 'the Realtime leg to close' });
    const legClosedAt = new Date(Math.max(0, ...sessionsOfCall().map((x) => x.closedAt?.getTime() ?? 0)) - 100);
    const status = await waitFor(
      async () => {
        const s = unwrap(
          await voiceAgent.GET('/call-status/{call_sid}', { params: { path: { call_sid: callSid } } }),
        ) as SimulationResult['status'];
        const row = await db.call.findUnique({ where: { providerCallSid: callSid }, select: { updatedAt: true, params: true } });
        const final = s.outcome && s.status !== 'in-progress' && s.status !== 'ringing' && s.status !== 'initiated';
        // A call that had a Realtime leg is final once the bridge's own pass ran (after its last tool call).
        const bridged = sessionsOfCall().length > 0;
        const bridgeDone = !bridged || (row?.params as { bridge_closed?: boolean } | null)?.bridge_closed === true;
        return final && row && row.updatedAt >= legClosedAt && bridgeDone ? s : undefined;
      },
      { timeoutMs: 20_000, what: 'the call to be finalised' },
    );
    const attempts = await db.contactAttempt.findMany({ where: { clientId: client.id, channel: 'sms' }, orderBy: { createdAt: 'asc' } });
    const call = await db.call.findUniqueOrThrow({
      where: { providerCallSid: callSid },
      include: { actions: { orderBy: { createdAt: 'asc' } } },
    });
    const { JobProducer, createRedis, closeRedis } = await import('@recoup/queue');
    const redis = createRedis(testRedisUrl(), 'client');
    const producer = new JobProducer(redis, this.queuePrefix);
    const sms = [];
    for (const a of attempts) {
      const job = a.jobId ? await producer.queue('notifications').getJob(a.jobId) : undefined;
      sms.push({
        purpose: a.purpose,
        jobId: a.jobId,
        variables: (job?.data as { variables?: Record<string, string> } | undefined)?.variables ?? {},
      });
    }
    await producer.close();
    await closeRedis(redis);
    const after = await db.invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { client: true } });
    return {
      callSid,
      status,
      heard: record.transcript,
      heardAfterBeep: record.beepAt === undefined ? [] : record.transcript.slice(record.beepAt),
      sms,
      toolCalls: call.actions.map((a) => ({ name: a.name, allowed: a.allowed })),
      recordings: record.recordings,
      recordingConsent: call.recordingConsent,
      dialled: record.dialled,
      invoiceStatus: after.status,
      debtor: {
        vulnerable: after.client.vulnerable,
        stoppedChannels: after.client.stoppedChannels,
        disputeOpenedAt: after.client.disputeOpenedAt,
      },
      debtDetails: ['1500', '1,500', 'one thousand five hundred', invoice.reference, invoice.reference.split('').join(' ')],
      playback: { playedMarks: record.playedMarks, clears: record.clears, truncations: sessionsOfCall().flatMap((s) => s.truncations) },
    };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    this.voice?.close();
    await this.api?.stop();
    await this.openai?.stop();
    await this.t?.drop();
  }
}

/** Runs one call end to end in its own simulator (npm run call-sim). */
export async function simulateCall(options: SimulationOptions): Promise<SimulationResult> {
  const sim = new CallSimulator({ frameMs: options.frameMs, verbose: options.verbose });
  try {
    await sim.start();
    return await sim.run(options);
  } finally {
    await sim.stop();
  }
}

/** Whether any AI line the phone carried names a debt detail (the amount, the reference). */
export function disclosed(r: Pick<SimulationResult, 'heard' | 'debtDetails'>, lines = r.heard): boolean {
  return lines.some((l) => l.speaker === 'ai' && r.debtDetails.some((d) => l.text.toLowerCase().includes(d.toLowerCase())));
}

export function formatResult(r: SimulationResult): string {
  return [
    `call ${r.callSid}: ${r.status.status}, outcome ${r.status.outcome}, ${r.status.duration ?? 0} s, cost GBP ${r.status.cost.toFixed(3)}`,
    '',
    'Transcript (stored turns):',
    r.status.transcript || '(none)',
    '',
    'On the line (what the fake phone heard, including TwiML <Say>):',
    ...r.heard.map((l) => `  ${l.speaker === 'ai' ? 'AI  ' : 'USER'} ${l.text}`),
    '',
    `Tool calls: ${r.toolCalls.map((c) => `${c.name}${c.allowed ? '' : ' (refused)'}`).join(', ') || 'none'}`,
    `SMS queued: ${r.sms.map((s) => `${s.purpose} ${JSON.stringify(s.variables)}`).join('; ') || 'none'}`,
    `Recording: ${r.recordings.map((x) => `${x.sid} ${x.status}`).join(', ') || 'none'}${r.recordingConsent ? ` (consent ${r.recordingConsent})` : ''}`,
    ...(r.dialled.length ? [`Transferred to: ${r.dialled.join(', ')}`] : []),
    `Invoice ${r.invoiceStatus}; debtor ${r.debtor.vulnerable ? 'flagged vulnerable' : 'not flagged'}, stopped channels: ${r.debtor.stoppedChannels.join(', ') || 'none'}`,
  ].join('\n');
}
