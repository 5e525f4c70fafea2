import { ApiKeyService } from '@recoup/auth';
import { ComplianceService } from '@recoup/compliance';
import { JobProducer } from '@recoup/queue';
import { RateLimiter } from '@recoup/rate-limit';
import { waitFor } from '@recoup/testing';
import { DelayedError } from 'bullmq';
import { IvrCallProcessor } from '../outbound/ivr-call.processor';
import { OutboundCallService } from '../outbound/outbound.service';
import { ADMIN_KEY, api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor, seedTenant } from '../testing/seed';

describe('GET /api/calls, the live stream and outbound campaigns', () => {
  let h: IvrHarness;
  beforeAll(async () => {
    h = await startIvr();
  });
  afterAll(() => h?.close());

  async function callTo(answers: string[]) {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id, campaign_id: 'spring' }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const call = await h.twilio.nextCall(client.phone ?? '');
    await h.twilio.answerAsDebtor(call);
    for (const a of answers) await h.twilio.say(call, a);
    return call;
  }

  it('requires a bearer key: 401 without, 401 with a wrong one', async () => {
    expect((await api(h, '/api/calls', { key: null })).status).toBe(401);
    expect((await api(h, '/api/calls', { key: 'rcp_live_' + 'x'.repeat(32) })).status).toBe(401);
  });

  it('lists calls newest first with stats, filters and pages', async () => {
    await callTo(['Yes, I accept']);
    await callTo(["No, I can't afford that", 'I can pay fifty pounds a month', 'Yes']);
    await callTo(["No, I can't afford that"]);
    await callTo(['Maybe']);
    await callTo(['', '', '']);

    const all = await api(h, '/api/calls');
    expect(all.status).toBe(200);
    expect(all.body.stats).toEqual({
      total: 5,
      willing_to_pay: 2,
      needs_negotiation: 1,
      pending_clarification: 1,
      no_response: 1,
      amount_agreed: 1200,
    });
    expect(all.body.data[0].created_at >= all.body.data[4].created_at).toBe(true);
    const confirmed = all.body.data.find(
      // The identity question and its answer come first: 5 turns.
      (c: { status: string; transcript: unknown[] }) => c.status === 'confirmed' && c.transcript.length === 5,
    );
    expect(confirmed).toMatchObject({
      intent: 'willing_to_pay',
      creditor_name: 'Acme Lending',
      balance: 600,
      currency: 'GBP',
      payment_plan: { monthly_amount: 100, months: 6 },
      campaign_id: 'spring',
    });
    expect(confirmed.transcript).toHaveLength(5);

    const filtered = await api(h, '/api/calls?status=confirmed');
    expect(filtered.body.data).toHaveLength(2);
    expect(filtered.body.stats.total).toBe(2);
    const page = await api(h, '/api/calls?page=2&page_size=2');
    expect(page.body).toMatchObject({ page: 2, page_size: 2, total: 5 });
    expect(page.body.data).toHaveLength(2);
    expect((await api(h, '/api/calls?from=2000-01-01&to=2000-01-02')).body.total).toBe(0);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    expect((await api(h, `/api/calls?from=${today}&to=${today}`)).body.total).toBe(5);

    const bad = await api(h, '/api/calls?status=happy&page_size=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.page_size', 'query.status']);
  });

  it('keeps tenants apart; the admin key sees every tenant', async () => {
    const other = await seedTenant(h.deps.db, { name: 'Other Bank' });
    const otherKey = (await new ApiKeyService(h.deps.db).issue(other.id)).key;
    const mine = await api(h, '/api/calls');
    expect((await api(h, '/api/calls', { key: otherKey })).body.total).toBe(0);
    expect((await api(h, `/api/calls?tenant_id=${h.tenantId}`, { key: otherKey })).status).toBe(403);
    expect((await api(h, `/api/calls/${mine.body.data[0].id}`, { key: otherKey })).status).toBe(404);
    expect((await api(h, `/api/calls?tenant_id=${h.tenantId}`, { key: ADMIN_KEY })).body.total).toBe(mine.body.total);
  });

  it('streams a new call and its updates live (server-sent events)', async () => {
    const abort = new AbortController();
    const res = await fetch(`${h.url}/api/calls/stream`, { headers: { authorization: `Bearer ${h.tenantKey}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    const call = await callTo(['Yes, I accept']);
    await waitFor(() => text.includes('"type":"created"') && text.includes('"status":"confirmed"'), {
      what: 'created and confirmed events',
    });
    expect(text).toContain(call.callSid);
    abort.abort();
    await pump;
  });

  it('queues a CSV campaign: each row through compliance and the tier limits', async () => {
    const a = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    const b = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    await h.deps.db.client.update({ where: { id: b.client.id }, data: { disputeOpenedAt: new Date(h.clock().getTime() - 86_400_000) } });
    const csv = `client_id,invoice_id\n${a.client.id},${a.invoice.id}\n${b.client.id},${b.invoice.id}\n${a.client.id},${b.invoice.id}\n`;
    const res = await api(h, '/api/calls/batch?campaign_id=csv-1', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ campaign_id: 'csv-1', queued: 1, refused: 2 });
    expect(res.body.results[1].reasons.map((r: { code: string }) => r.code)).toContain('DEBT_DISPUTED');
    expect(res.body.results[2].reasons[0].code).toBe('NOT_FOUND');
    await h.twilio.nextCall(a.client.phone ?? '');
    const again = await api(h, '/api/calls/batch', {
      method: 'POST',
      body: JSON.stringify({ campaign_id: 'csv-1', calls: [{ client_id: a.client.id, invoice_id: a.invoice.id }] }),
    });
    expect(again.body.results[0]).toMatchObject({ outcome: 'queued', job_id: res.body.results[0].job_id });
    expect(await h.deps.db.contactAttempt.count({ where: { invoiceId: a.invoice.id } })).toBe(1);

    const badRow = await api(h, '/api/calls/batch', {
      method: 'POST',
      body: JSON.stringify({ calls: [{ client_id: 'nope', invoice_id: a.invoice.id }] }),
    });
    expect(badRow.status).toBe(400);
    expect(badRow.body.errors[0].field).toBe('body.calls.0.client_id');
  });

  it('refuses a single call the rules forbid with 422 naming the reason, and needs tenant_id with the admin key', async () => {
    const d = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    await h.deps.db.client.update({
      where: { id: d.client.id },
      data: { breathingSpaceStart: new Date(h.clock().getTime() - 86_400_000) },
    });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: d.client.id, invoice_id: d.invoice.id }),
    });
    expect(res.status).toBe(422);
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('BREATHING_SPACE_ACTIVE');
    const admin = await api(h, '/api/calls/outbound', {
      method: 'POST',
      key: ADMIN_KEY,
      body: JSON.stringify({ client_id: d.client.id, invoice_id: d.invoice.id }),
    });
    expect(admin.status).toBe(400);
    expect(admin.body.errors[0].field).toBe('body.tenant_id');
  });

  it('calls the numbers the API stores (one phone rule): the drama-range example is queued, a number outside the plan is 422 with why', async () => {
    const drama = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), phone: '+447700900123' });
    const ok = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: drama.client.id, invoice_id: drama.invoice.id, campaign_id: 'phone-rule' }),
    });
    expect(ok.status).toBe(202);
    const bad = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), phone: '+447700901123' });
    const refused = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: bad.client.id, invoice_id: bad.invoice.id }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'INVALID_PHONE_NUMBER',
          message: "The debtor's phone number is not a valid UK mobile or landline number.",
        }),
      ]),
    );
  });

  it('schedules a call asked for at night for the next allowed time, and stops at the tier limit', async () => {
    const night = () => new Date('2026-11-18T22:30:00Z');
    const service = new OutboundCallService({
      db: h.deps.db,
      compliance: new ComplianceService({ db: h.deps.db, clock: night }),
      limiter: new RateLimiter(h.deps.redis),
      producer: new JobProducer(h.deps.redis, h.deps.config.QUEUE_PREFIX),
      estimatedCostPence: 25,
      clock: night,
    });
    const d = await seedDebtor(h.deps.db, h.tenantId, { now: night() });
    const result = await service.request({
      tenantId: h.tenantId,
      clientId: d.client.id,
      invoiceId: d.invoice.id,
      campaignId: 'night',
      requestedBy: 'test',
    });
    expect(result.outcome).toBe('scheduled');
    expect(new Date(result.scheduled_for!).getTime()).toBeGreaterThan(night().getTime());
    const attempt = await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { jobId: result.job_id! } });
    expect(attempt).toMatchObject({ status: 'queued', scheduledFor: new Date(result.scheduled_for!) });

    const starter = await h.deps.db.tenant.create({ data: { name: 'Small Co', tier: 'starter' } });
    const s = await seedDebtor(h.deps.db, starter.id, { now: h.clock() });
    const key = (await new ApiKeyService(h.deps.db).issue(starter.id)).key;
    const limited = await api(h, '/api/calls/outbound', {
      method: 'POST',
      key,
      body: JSON.stringify({ client_id: s.client.id, invoice_id: s.invoice.id }),
    });
    expect(limited.status).toBe(429);
    expect(limited.body.reasons[0].code).toBe('TIER_LIMIT_REACHED');
  });

  it('the worker does nothing for an invoice paid after the call was queued, and never dials a job twice', async () => {
    const night = () => new Date('2026-11-18T22:30:00Z');
    const service = new OutboundCallService({
      db: h.deps.db,
      compliance: new ComplianceService({ db: h.deps.db, clock: night }),
      limiter: new RateLimiter(h.deps.redis),
      producer: new JobProducer(h.deps.redis, h.deps.config.QUEUE_PREFIX),
      estimatedCostPence: 25,
      clock: night,
    });
    const paid = await seedDebtor(h.deps.db, h.tenantId, { now: night() });
    const queued = await service.request({
      tenantId: h.tenantId,
      clientId: paid.client.id,
      invoiceId: paid.invoice.id,
      campaignId: 'late',
      requestedBy: 'test',
    });
    await h.deps.db.invoice.update({ where: { id: paid.invoice.id }, data: { status: 'paid', paidPence: paid.invoice.amountPence } });
    const job = { tenant_id: h.tenantId, client_id: paid.client.id, invoice_id: paid.invoice.id, requested_by: 'test' };
    expect(await h.deps.processor.process(job, queued.job_id!)).toEqual({ outcome: 'cancelled' });
    expect(await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.job_id! } })).toMatchObject({
      status: 'cancelled',
      failureReason: 'invoice is paid',
    });
    expect(await h.deps.db.ivrCall.count({ where: { invoiceId: paid.invoice.id } })).toBe(0);

    const open = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    const jobId = 'ivr:manual-twice';
    const data = { tenant_id: h.tenantId, client_id: open.client.id, invoice_id: open.invoice.id, requested_by: 'test' };
    const first = await h.deps.processor.process(data, jobId);
    const second = await h.deps.processor.process(data, jobId);
    expect(first.outcome).toBe('placed');
    expect(second).toEqual({ outcome: 'already_placed', ivrCallId: first.ivrCallId });
    expect(await h.deps.db.ivrCall.count({ where: { invoiceId: open.invoice.id } })).toBe(1);
    expect(await h.deps.db.sandboxMessage.count({ where: { idempotencyKey: jobId } })).toBe(1);
  });

  it('the worker puts a call that is no longer allowed now back to wait until it is', async () => {
    const night = () => new Date('2026-11-18T22:30:00Z');
    const processor = new IvrCallProcessor({
      db: h.deps.db,
      repository: h.deps.repository,
      compliance: new ComplianceService({ db: h.deps.db, clock: night }),
      placer: {
        provider: 'sandbox',
        placeCall: () => Promise.reject(new Error('must not dial')),
        hangup: () => Promise.resolve(),
        startRecording: () => Promise.reject(new Error('no call')),
        setRecordingStatus: () => Promise.resolve('not_recording' as const),
      },
      events: h.deps.events,
      logger: h.deps.logger,
      publicBaseUrl: h.url,
      defaultPolicy: { minMonthlyPence: 1000, maxMonths: 12, settlementDiscountPercent: null, defaultMonths: 6 },
      timeLimitSeconds: 600,
    });
    const d = await seedDebtor(h.deps.db, h.tenantId, { now: night() });
    const delayedTo: number[] = [];
    const job = { token: 'lock-token', moveToDelayed: async (at: number) => void delayedTo.push(at) };
    const data = { tenant_id: h.tenantId, client_id: d.client.id, invoice_id: d.invoice.id, requested_by: 'test' };
    await expect(processor.process(data, 'ivr:night-redelay', job)).rejects.toBeInstanceOf(DelayedError);
    expect(delayedTo).toHaveLength(1);
    expect(delayedTo[0]).toBeGreaterThan(night().getTime());
    const attempt = await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { jobId: 'ivr:night-redelay' } });
    expect(attempt).toMatchObject({ status: 'queued', scheduledFor: new Date(delayedTo[0]!) });
    expect(attempt.failureReason).toMatch(/^delayed: compliance: .*OUTSIDE_CONTACT_HOURS/);
    expect(await h.deps.db.ivrCall.count({ where: { invoiceId: d.invoice.id } })).toBe(0);
  });

  it("withholds a sensitive call's transcript unless the reader asks with the scope and holds a reader role", async () => {
    const call = await callTo(['Yes, I accept']);
    const row = await waitFor(async () => (await h.deps.db.ivrCall.findFirst({ where: { callSid: call.callSid } })) ?? undefined, {
      what: 'the IVR call row',
    });
    // What a vulnerability or health disclosure during the call marks it (special-category data, UK GDPR Art. 9).
    await h.deps.db.ivrCall.update({ where: { id: row.id }, data: { sensitive: true } });
    const plain = await api(h, `/api/calls/${row.id}`);
    expect(plain.body).toMatchObject({ sensitive: true, transcript_withheld: true, transcript: [], confirmation_response: null });
    const asked = await api(h, `/api/calls/${row.id}`, { headers: { 'X-Recoup-Scope': 'transcripts:sensitive' } });
    expect(asked.body.transcript_withheld).toBe(true);
    const reader = await new ApiKeyService(h.deps.db).issue(h.tenantId, 'sensitive_reader');
    const withoutScope = await api(h, `/api/calls/${row.id}`, { key: reader.key });
    expect(withoutScope.body.transcript_withheld).toBe(true);
    const read = await api(h, `/api/calls/${row.id}`, { key: reader.key, headers: { 'X-Recoup-Scope': 'transcripts:sensitive' } });
    expect(read.body).toMatchObject({ transcript_withheld: false });
    expect(read.body.transcript.length).toBeGreaterThan(0);
    const listed = await api(h, '/api/calls');
    expect(listed.body.data.find((c: { id: string }) => c.id === row.id)).toMatchObject({ transcript: [], transcript_withheld: true });
  });
});
