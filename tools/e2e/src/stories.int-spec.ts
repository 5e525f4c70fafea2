import {
  createTestDatabase,
  testQueuePrefix,
  testRedisUrl,
  waitFor,
  type CalleeScript,
  type FakeDialledCall,
  type TestDatabase,
} from '@recoup/testing';
import { FakeProviders } from './fake-providers';
import { ServiceStack, newStackSecrets, type ServiceName } from './stack';
import { runStatementStory } from './statement-story';
import { STORY_DEBTOR_POSTCODE, formatTimeline, runCollectionsStory, type StoryResult } from './story';

/**
 * The platform as its users meet it: all five services as child processes on a throw-away database
 * and queue prefix, their real provider adapters pointed at loopback fakes that count what each
 * provider received. Driven through the public HTTP APIs only.
 */
const PROMISE_PHONE = '+447911123401';
const DISPUTE_PHONE = '+447911123402';
const IVR_PREFIX = '+4479111235';

const promise: CalleeScript = {
  answer: 'human',
  turns: [
    { say: 'Hello, speaking.' },
    // Identity before disclosure: the agent says why it calls only after our code checked the postcode on file.
    { say: `Yes, my postcode is ${STORY_DEBTOR_POSTCODE}.` },
    { say: 'Can you text me the link?' },
    { say: "Yes. I'll pay on Friday." },
    { say: 'No, that is all. Goodbye.' },
  ],
  hangUpWhenDone: true,
};
const dispute: CalleeScript = {
  answer: 'human',
  turns: [{ say: 'Speaking.' }, { say: 'I dispute this invoice, we never ordered it.' }],
  hangUpWhenDone: true,
};

/** IVR debtors by their last two digits: what each says to the payment-plan offer. */
const IVR_ANSWERS: Array<{ answers: string[]; expect: 'willing_to_pay' | 'needs_negotiation' | 'pending_clarification' | 'no_response' }> =
  [
    { answers: ['Yes, I accept'], expect: 'willing_to_pay' },
    { answers: ["No, I can't afford that", 'I can pay fifty pounds a month', 'Yes'], expect: 'willing_to_pay' },
    { answers: ["No, I can't afford that"], expect: 'needs_negotiation' },
    { answers: ['Maybe'], expect: 'pending_clarification' },
    { answers: ['', '', ''], expect: 'no_response' },
  ];

function scriptFor(call: FakeDialledCall): CalleeScript {
  if (call.to === PROMISE_PHONE) return promise;
  if (call.to === DISPUTE_PHONE) return dispute;
  if (call.to.startsWith(IVR_PREFIX)) {
    const n = Number(call.to.slice(-2));
    // The IVR asks for the named person's postcode before anything about the debt; then the answers to the offer.
    const answers = IVR_ANSWERS[n % IVR_ANSWERS.length]?.answers ?? [];
    return {
      answer: 'human',
      turns: [`Yes, my postcode is ${STORY_DEBTOR_POSTCODE}.`, ...answers].map((say) => ({ say })),
      hangUpWhenDone: true,
    };
  }
  return { answer: 'no-answer', turns: [] };
}

describe('the collections story end to end (five services as processes, fake providers)', () => {
  let database: TestDatabase;
  let fakes: FakeProviders;
  let stack: ServiceStack;
  const secrets = newStackSecrets();

  beforeAll(async () => {
    database = await createTestDatabase();
    fakes = await FakeProviders.start({ twilioAuthToken: secrets.twilioAuthToken, scriptFor });
    stack = await ServiceStack.start({
      databaseUrl: database.url,
      redisUrl: testRedisUrl(),
      queuePrefix: testQueuePrefix(),
      env: fakes.env(),
      secrets,
      // Five services start at once: on a loaded 2-core machine one can take over a minute to answer /health.
      healthTimeoutMs: 150_000,
    });
  }, 240_000);

  afterAll(async () => {
    const unclean = stack ? await stack.stop() : [];
    await fakes?.stop();
    await database?.drop();
    expect(unclean).toEqual([]);
  }, 60_000);

  const api = async (path: string, key: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(stack.url('collections-api') + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };

  /** The status a service answers to `credential` (POST with `body`, else GET). */
  const call = async (service: ServiceName, path: string, credential: string, body?: unknown) => {
    const res = await fetch(stack.url(service) + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };

  it('a revoked API key is refused by all five services within 1 s of the revoke, and its open call stream ends', async () => {
    const created = await api('/api/admin/tenants', secrets.adminApiKey, {
      method: 'POST',
      body: { name: 'Revoked Keys Ltd', tier: 'pro' },
    });
    expect(created.status).toBe(201);
    const tenantId = (created.body.tenant as { id: string }).id;
    const { id: keyId, key } = created.body.api_key as { id: string; key: string };
    const predictBody = { invoice_amount: 250, days_overdue: 20 };
    // One authenticated route per service; voice-agent and notifier take only the internal token or the admin key.
    const probes = {
      'collections-api': (credential: string) => call('collections-api', '/api/clients', credential),
      prediction: (credential: string) => call('prediction', '/predict', credential, predictBody),
      'ivr-negotiation': (credential: string) => call('ivr-negotiation', '/api/calls', credential),
      'voice-agent': (credential: string) => call('voice-agent', '/estimate-cost', credential, { estimated_duration_minutes: 3 }),
      notifier: (credential: string) => call('notifier', `/internal/engagement?tenant_id=${tenantId}&client_id=${tenantId}`, credential),
    };
    const before = Object.fromEntries(await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await probe(key)])));
    expect(before).toEqual({ 'collections-api': 200, prediction: 200, 'ivr-negotiation': 200, 'voice-agent': 401, notifier: 401 });
    // Those two routes do answer their own credentials: the 401s above are the tenant key's.
    expect(await probes['voice-agent'](secrets.internalApiToken)).toBe(200);
    expect(await probes.notifier(secrets.adminApiKey)).toBe(200);

    const stream = await fetch(`${stack.url('ivr-negotiation')}/api/calls/stream`, { headers: { authorization: `Bearer ${key}` } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('retry:');
    const streamEnded = (async () => {
      for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return Date.now();
    })();

    const revokedAt = Date.now();
    expect((await api(`/api/admin/tenants/${tenantId}/api-keys/${keyId}`, secrets.adminApiKey, { method: 'DELETE' })).status).toBe(204);
    // Polled until each answers 401, up to 1 s after the revoke was sent (the product's bound, issue 14).
    const deadline = revokedAt + 1_000;
    const after = await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        for (;;) {
          const status = await probe(key);
          if (status === 401 || Date.now() > deadline) return { name, status, ms: Date.now() - revokedAt };
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    const ended = await Promise.race([
      streamEnded,
      new Promise<null>((r) => setTimeout(() => r(null), Math.max(deadline - Date.now(), 0))),
    ]);
    console.log(
      `revoked key refused after: ${after.map((a) => `${a.name} ${a.ms} ms`).join(', ')}; stream ended after ${ended ? ended - revokedAt : '>1000'} ms`,
    );
    expect(after.map(({ name, status }) => ({ name, status }))).toEqual(Object.keys(probes).map((name) => ({ name, status: 401 })));
    expect(Math.max(...after.map((a) => a.ms))).toBeLessThanOrEqual(1_000);
    expect(ended).not.toBeNull();
    expect(ended! - revokedAt).toBeLessThanOrEqual(1_000);
  }, 30_000);

  let story: StoryResult;

  it('walks invoice → strategy → email → SMS → AI call with promise and link → Stripe paid twice → pending work cancelled', async () => {
    const lines: string[] = [];
    story = await runCollectionsStory({
      collectionsUrl: stack.url('collections-api'),
      adminApiKey: secrets.adminApiKey,
      stripeWebhookSecret: secrets.stripeWebhookSecret,
      debtorPhone: PROMISE_PHONE,
      log: (l) => lines.push(l),
    }).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}\n${lines.join('\n')}\n--- voice-agent ---\n${stack.output('voice-agent').slice(-3000)}\n--- notifier ---\n${stack.output('notifier').slice(-3000)}`,
      );
    });
    expect(story.checks.every((c) => c.ok)).toBe(true);

    // Counted at the providers: one reminder email, and SMS only to the debtor's number, each once.
    const emails = fakes.sendgrid.requests.filter((r) => JSON.stringify(r.body).includes('bloggs.example'));
    expect(emails.length).toBe(1);
    const sms = fakes.sms.accepted().filter((r) => r.form.To === PROMISE_PHONE);
    const bodies = sms.map((r) => r.form.Body ?? '');
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(bodies.filter((b) => /https?:\/\//.test(b)).length).toBeGreaterThanOrEqual(1);
    const calls = [...fakes.phone.calls.values()].filter((c) => c.call.to === PROMISE_PHONE);
    expect(calls).toHaveLength(1);
    console.log(`collections story timeline:\n${formatTimeline(story.timeline)}`);
  }, 240_000);

  it('a debtor with three overdue invoices gets ONE statement email and pays all three from the portal', async () => {
    const lines: string[] = [];
    const readEmails = async (to: string) =>
      fakes.sendgrid.requests
        .filter((r) => r.path.startsWith('/v3/mail/send') && JSON.stringify(r.body.personalizations ?? '').includes(to))
        .map((r) => ({
          subject: String(r.body.subject ?? ''),
          text: String(
            (r.body.content as Array<{ type: string; value: string }> | undefined)?.find((c) => c.type === 'text/plain')?.value ?? '',
          ),
        }));
    const result = await runStatementStory({
      collectionsUrl: stack.url('collections-api'),
      adminApiKey: secrets.adminApiKey,
      readEmails,
      log: (l) => lines.push(l),
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${lines.join('\n')}\n--- notifier ---\n${stack.output('notifier').slice(-3000)}`);
    });
    expect(result.checks.every((c) => c.ok)).toBe(true);
    console.log(`statement story:\n${lines.join('\n')}`);
  }, 180_000);

  it('a debtor who disputes on the call gets no further contact on any channel until the dispute is resolved', async () => {
    const tenant = await api('/api/admin/tenants', secrets.adminApiKey, {
      method: 'POST',
      body: { name: 'Dispute Co', tier: 'growth', compliance_overrides: { contactHours: { enabled: false } } },
    });
    expect(tenant.status).toBe(201);
    const key = (tenant.body.api_key as { key: string }).key;
    const client = await api('/api/clients', key, {
      method: 'POST',
      body: { name: 'Pat Disputer', email: 'pat@disputes.example', phone: DISPUTE_PHONE, kind: 'business' },
    });
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const invoice = await api('/api/invoices', key, {
      method: 'POST',
      body: { client_id: client.body.id, invoice_reference: 'DSP-1', amount: 820.5, issue_date: day(45), due_date: day(12) },
    });
    const invoiceId = invoice.body.id as string;

    const call = await api('/api/collections/escalate', key, { method: 'POST', body: { invoice_id: invoiceId, action: 'ai_call' } });
    expect(call.status).toBe(202);
    await waitFor(async () => ((await api(`/api/clients/${String(client.body.id)}`, key)).body.dispute_opened_at ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the dispute recorded from the call',
    });
    const after = await api(`/api/invoices/${invoiceId}`, key);
    expect(after.body.status).toBe('disputed');

    const emailsBefore = fakes.sendgrid.requests.length;
    const smsBefore = fakes.sms.requests.length;
    for (const action of ['email', 'sms', 'ai_call', 'letter']) {
      const refused = await api('/api/collections/escalate', key, { method: 'POST', body: { invoice_id: invoiceId, action } });
      expect([409, 422]).toContain(refused.status);
    }
    expect(fakes.sendgrid.requests.length).toBe(emailsBefore);
    expect(fakes.sms.requests.length).toBe(smsBefore);

    // The creditor resolves the dispute (the invoice reopens and the debtor's flag clears with it).
    const resolved = await api(`/api/invoices/${invoiceId}/dispute`, key, {
      method: 'POST',
      body: { action: 'resolve', reason: 'Delivery note signed by the debtor' },
    });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'overdue' } });
    expect((await api(`/api/clients/${String(client.body.id)}`, key)).body.dispute_resolved_at).toBeTruthy();
    const again = await api('/api/collections/escalate', key, { method: 'POST', body: { invoice_id: invoiceId, action: 'letter' } });
    expect(again).toMatchObject({ status: 202 });

    // Data rights: the debtor's export holds the call; erasure is refused while the balance is owed, done once paid,
    // and the export then holds only the retained facts (the ledger, the fact of each contact).
    const clientPath = `/api/clients/${String(client.body.id)}`;
    const exported = await api(`${clientPath}/data-export`, key);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ retained_only: false, client: { name: 'Pat Disputer', phone: DISPUTE_PHONE } });
    expect((exported.body.calls as unknown[]).length).toBeGreaterThanOrEqual(1);
    const refused = await api(`${clientPath}/erasure`, key, { method: 'POST', body: { reason: 'debtor asked (e2e)' } });
    expect(refused.status).toBe(409);
    expect(refused.body.legal_holds).toEqual([expect.objectContaining({ kind: 'outstanding_balance', invoice_reference: 'DSP-1' })]);
    expect((await api(`/api/invoices/${invoiceId}/payments`, key, { method: 'POST', body: { amount: 820.5 } })).status).toBe(201);
    const erased = await api(`${clientPath}/erasure`, key, { method: 'POST', body: { reason: 'debtor asked (e2e)' } });
    expect(erased).toMatchObject({ status: 200, body: { already_erased: false } });
    const retained = await api(`${clientPath}/data-export`, key);
    expect(retained.body).toMatchObject({ retained_only: true, client: { name: 'Erased debtor', phone: null, email: null } });
    expect(retained.body.invoices).toEqual([expect.objectContaining({ reference: 'DSP-1', paid_pence: 820_50, status: 'paid' })]);
    expect(JSON.stringify(retained.body)).not.toMatch(/Pat Disputer|pat@disputes|7911123402/);
  }, 180_000);

  it('an IVR campaign of 20 debtors with mixed answers shows the right counts on the dashboard API', async () => {
    const tenant = await api('/api/admin/tenants', secrets.adminApiKey, {
      method: 'POST',
      body: { name: 'Acme Lending', tier: 'pro', compliance_overrides: { contactHours: { enabled: false } } },
    });
    const tenantId = (tenant.body.tenant as { id: string }).id;
    const key = (tenant.body.api_key as { key: string }).key;
    const raised = await api(`/api/admin/tenants/${tenantId}`, secrets.adminApiKey, {
      method: 'PATCH',
      body: { limit_overrides: { daily: { ai_calls: 100, total_cost_pence: 100_000 }, monthly: { ai_calls: 1_000 } } },
    });
    expect(raised.status).toBe(200);
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const rows = [];
    for (let i = 0; i < 20; i++) {
      const phone = `${IVR_PREFIX}${String(i).padStart(2, '0')}`;
      const client = await api('/api/clients', key, {
        method: 'POST',
        body: { name: `Customer ${i}`, email: `c${i}@lending.example`, phone, kind: 'consumer', postcode: STORY_DEBTOR_POSTCODE },
      });
      const invoice = await api('/api/invoices', key, {
        method: 'POST',
        body: { client_id: client.body.id, invoice_reference: `LOAN-${i}`, amount: 600, issue_date: day(60), due_date: day(20) },
      });
      rows.push({ client_id: client.body.id, invoice_id: invoice.body.id });
    }
    const ivr = stack.url('ivr-negotiation');
    const batch = await fetch(`${ivr}/api/calls/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ calls: rows, campaign_id: 'e2e-spring' }),
    });
    const queued = (await batch.json()) as { queued: number; refused: number; results: unknown[] };
    expect([200, 202]).toContain(batch.status);
    expect(queued).toMatchObject({ queued: 20, refused: 0 });

    const expected = { total: 20, willing_to_pay: 8, needs_negotiation: 4, pending_clarification: 4, no_response: 4 };
    const stats = await waitFor(
      async () => {
        const res = await fetch(`${ivr}/api/calls?page_size=200`, { headers: { authorization: `Bearer ${key}` } });
        const body = (await res.json()) as { stats: Record<string, number>; data: Array<{ status: string }> };
        const settled = body.data.length === 20 && body.data.every((c) => !['initiated', 'in_progress', 'ringing'].includes(c.status));
        return settled ? body.stats : undefined;
      },
      { timeoutMs: 150_000, what: 'all 20 IVR calls to settle' },
    );
    expect(stats).toMatchObject(expected);
    expect(stats.amount_agreed).toBeGreaterThan(0);
  }, 240_000);
});
