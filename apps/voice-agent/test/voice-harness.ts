import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '@recoup/db';
import { OpenAiChatAgent, OpenAiRealtimeConnector } from '@recoup/providers/realtime-voice';
import {
  FakeOpenAiRealtimeServer,
  FakeTwilioVoice,
  createTestDatabase,
  freePort,
  testQueuePrefix,
  testRedisUrl,
  type CalleeScript,
  type TestDatabase,
} from '@recoup/testing';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildDeps, type Deps } from '../src/deps';

export const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';
export const TWILIO_TOKEN = 'twilio-auth-token-for-tests-0123';

/** Wednesday 11:00 London: inside calling hours, whatever time the suite runs. */
export const WEDNESDAY_11AM = Date.parse('2026-11-18T11:00:00Z');

export interface VoiceHarness {
  t: TestDatabase;
  db: Database;
  deps: Deps;
  server: Server;
  baseUrl: string;
  openai: FakeOpenAiRealtimeServer;
  twilio: FakeTwilioVoice;
  /** The debtor's script for the next dialled call. */
  script: { next: CalleeScript };
  /** Moves the service's clock (compliance, limits) to `ms` from now on. */
  setNow(ms: number): void;
  close(): Promise<void>;
}

export async function startVoiceHarness(env: Record<string, string> = {}): Promise<VoiceHarness> {
  const t = await createTestDatabase();
  const openai = await new FakeOpenAiRealtimeServer({ silenceFrames: 4, deltaIntervalMs: 2 }).start();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const script: { next: CalleeScript } = { next: { answer: 'human', turns: [], hangUpWhenDone: true } };
  const twilio = new FakeTwilioVoice({ authToken: TWILIO_TOKEN, frameMs: 10, turnGapMs: 300, script: () => script.next });
  let offset = WEDNESDAY_11AM - Date.now();
  const clock = () => new Date(Date.now() + offset);
  const { config, providers } = loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    LOG_LEVEL: 'silent',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    PUBLIC_BASE_URL: baseUrl,
    ...env,
  });
  const deps = buildDeps(config, providers, {
    clock,
    sandboxDriver: twilio,
    connector: new OpenAiRealtimeConnector({ apiKey: 'sk-test', baseUrl: openai.url, model: 'gpt-realtime', provider: 'sandbox' }),
    chatAgent: new OpenAiChatAgent({ apiKey: 'sk-test', baseUrl: `${openai.url}/v1`, model: 'gpt-4o-mini' }),
  });
  await deps.start();
  const server = createServer(createApp(deps));
  deps.registry.attach(server, deps.logger);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  void (server.address() as AddressInfo);
  return {
    t,
    db: t.db,
    deps,
    server,
    baseUrl,
    openai,
    twilio,
    script,
    setNow(ms) {
      offset = ms - Date.now();
    },
    async close() {
      twilio.close();
      await deps.close();
      await new Promise<void>((r) => server.close(() => r()));
      await openai.stop();
      await t.drop();
    },
  };
}

let n = 0;

/** A tenant, a debtor and an overdue invoice (defaults: GBP 250, 20 days overdue, UK mobile, pro tier). */
export async function seedDebt(
  db: Database,
  o: { tier?: 'starter' | 'growth' | 'pro'; amountPence?: number; daysOverdue?: number; phone?: string; now?: number } = {},
) {
  n++;
  const now = o.now ?? WEDNESDAY_11AM;
  const tenant = await db.tenant.create({ data: { name: `Acme ${n} Ltd`, email: `accounts${n}@acme.example`, tier: o.tier ?? 'pro' } });
  const client = await db.client.create({
    data: {
      tenantId: tenant.id,
      name: `Northwind ${n} Ltd`,
      kind: 'business',
      phone: o.phone ?? '+447911123456',
      email: `ap${n}@northwind.example`,
      // What the debtor confirms before anything about the debt is said (the tenant's default check).
      postcode: 'SW1A 1AA',
    },
  });
  const due = new Date(now - (o.daysOverdue ?? 20) * 86_400_000);
  const invoice = await db.invoice.create({
    data: {
      tenantId: tenant.id,
      clientId: client.id,
      reference: `INV-${1000 + n}`,
      amountPence: o.amountPence ?? 250_00,
      issueDate: new Date(due.getTime() - 30 * 86_400_000),
      dueDate: new Date(due.toISOString().slice(0, 10)),
      status: 'overdue',
    },
  });
  return { tenant, client, invoice };
}

export function initiateBody(s: Awaited<ReturnType<typeof seedDebt>>, extra: Record<string, unknown> = {}) {
  return {
    recipient_phone: s.client.phone,
    recipient_name: 'Sam Taylor',
    invoice_reference: s.invoice.reference,
    amount: s.invoice.amountPence / 100,
    due_date: s.invoice.dueDate.toISOString().slice(0, 10),
    days_past_due: 20,
    business_name: s.tenant.name,
    invoice_id: s.invoice.id,
    freelancer_id: s.tenant.id,
    enable_payment_during_call: true,
    ...extra,
  };
}
