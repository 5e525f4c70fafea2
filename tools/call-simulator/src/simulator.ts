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

export interface SimulationOptions {
  script: CalleeScript;
  /** Playback clock of the fake phone (20 = real time). */
  frameMs?: number;
  enablePaymentDuringCall?: boolean;
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
  sms: Array<{ purpose: string; jobId: string | null; variables: Record<string, string> }>;
  toolCalls: Array<{ name: string; allowed: boolean }>;
}

/**
 * Runs one AI call end to end: a voice-agent process (real Twilio and OpenAI adapters, TWILIO_MODE=live and
 * OPENAI_MODE=live) against loopback fakes of Twilio's REST API, its phone network (signed webhooks,
 * Media Streams) and the OpenAI Realtime API; a throw-away database and queue prefix.
 */
export async function simulateCall(options: SimulationOptions): Promise<SimulationResult> {
  let t: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  const voice = new FakeTwilioVoice({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    frameMs: options.frameMs ?? 20,
    turnGapMs: 300,
    script: () => options.script,
  });
  const api = await new FakeTwilioVoiceApi(voice).start();
  const openai = await new FakeOpenAiRealtimeServer({ silenceFrames: 10 }).start();
  try {
    t = await createTestDatabase();
    const db = t.db;
    // Calling hours are switched off for this tenant so the simulator runs at any hour (the rule itself is tested in voice-agent).
    const tenant = await db.tenant.create({
      data: {
        name: 'Acme Design Studio',
        email: 'accounts@acme.example',
        tier: 'pro',
        complianceOverrides: { contactHours: { enabled: false } },
      },
    });
    const client = await db.client.create({
      data: { tenantId: tenant.id, name: 'John Smith', kind: 'business', phone: '+447911123456', email: 'john@northwind.example' },
    });
    const due = new Date(Date.now() - 14 * 86_400_000);
    const invoice = await createInvoice(
      { db },
      {
        tenantId: tenant.id,
        clientId: client.id,
        reference: 'INV-2024-001',
        amountPence: 1500_00,
        currency: 'GBP',
        issueDate: new Date(due.getTime() - 30 * 86_400_000),
        dueDate: new Date(due.toISOString().slice(0, 10)),
        actor: 'call-simulator',
      },
    );
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const queuePrefix = testQueuePrefix();
    child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['apps/voice-agent/src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', options.verbose ? 'inherit' : 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        LOG_LEVEL: options.verbose ? 'info' : 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: t.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: queuePrefix,
        PUBLIC_BASE_URL: baseUrl,
        INTERNAL_API_TOKEN: INTERNAL_TOKEN,
        TWILIO_MODE: 'live',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM_NUMBER: '+441615550100',
        TWILIO_API_BASE_URL: api.url,
        OPENAI_MODE: 'live',
        OPENAI_API_KEY: 'sk-call-simulator',
        OPENAI_BASE_URL: openai.url,
        STRIPE_MODE: 'sandbox',
      },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`voice-agent exited (${code}): ${stderr}`))),
    );
    await Promise.race([
      exited,
      waitFor(async () => (await fetch(`${baseUrl}/health`).catch(() => null))?.ok, { timeoutMs: 60_000, what: 'voice-agent /health' }),
    ]);
    const auth = { authorization: `Bearer ${INTERNAL_TOKEN}`, 'content-type': 'application/json' };
    const res = await fetch(`${baseUrl}/initiate-call`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        recipient_phone: client.phone,
        recipient_name: client.name,
        invoice_reference: invoice.reference,
        amount: 1500.0,
        due_date: invoice.dueDate.toISOString().slice(0, 10),
        days_past_due: 14,
        business_name: tenant.name,
        invoice_id: invoice.id,
        freelancer_id: tenant.id,
        enable_payment_during_call: options.enablePaymentDuringCall ?? true,
      }),
    });
    const placed = (await res.json()) as { call_sid?: string };
    if (!res.ok || !placed.call_sid) throw new Error(`initiate-call answered ${res.status}: ${JSON.stringify(placed)}`);
    const callSid = placed.call_sid;
    const record = await Promise.race([
      exited,
      waitFor(() => voice.calls.get(callSid), { what: 'the fake phone to ring' }).then((r) => r.done),
    ]);
    // The bridge keeps the Realtime leg briefly after a hang-up so the caller's last words count; the call is final
    // once that leg is closed and the call row was finalised after it.
    await waitFor(() => openai.sessions.length > 0 && openai.sessions.every((x) => x.closed), {
      timeoutMs: 20_000,
      what: 'the Realtime leg to close',
    });
    // The bridge finalises the call after closing the leg (the status callback's earlier pass came ~1 s before).
    const legClosedAt = new Date(Math.max(...openai.sessions.map((x) => x.closedAt?.getTime() ?? 0)) - 100);
    const status = await waitFor(
      async () => {
        const s = (await (await fetch(`${baseUrl}/call-status/${callSid}`, { headers: auth })).json()) as SimulationResult['status'];
        const row = await db.call.findUnique({ where: { providerCallSid: callSid }, select: { updatedAt: true } });
        const final = s.outcome && s.status !== 'in-progress' && s.status !== 'ringing' && s.status !== 'initiated';
        return final && row && row.updatedAt >= legClosedAt ? s : undefined;
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
    const producer = new JobProducer(redis, queuePrefix);
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
    return { callSid, status, heard: record.transcript, sms, toolCalls: call.actions.map((a) => ({ name: a.name, allowed: a.allowed })) };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
    }
    voice.close();
    await api.stop();
    await openai.stop();
    await t?.drop();
  }
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
  ].join('\n');
}
