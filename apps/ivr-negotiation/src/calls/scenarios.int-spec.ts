import { ApiKeyService } from '@recoup/auth';
import { openDispute, quoteBalance, recordQueuedContact } from '@recoup/collections';
import { ComplianceService } from '@recoup/compliance';
import { RateLimiter } from '@recoup/rate-limit';
import { waitFor } from '@recoup/testing';
import { IvrCallProcessor } from '../outbound/ivr-call.processor';
import { OutboundCallService } from '../outbound/outbound.service';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor, seedTenant } from '../testing/seed';
import { spokenMoney } from './speech';

/** The product's three scenarios and the negotiation path, end to end: HTTP -> BullMQ -> dial -> fake Twilio -> webhooks -> PostgreSQL. */
describe('IVR calls driven by a fake Twilio', () => {
  let h: IvrHarness;
  beforeAll(async () => {
    h = await startIvr();
  });
  afterAll(() => h?.close());

  /** Queues a call for a fresh debtor through the public API and waits for the fake Twilio to be dialled. */
  async function placeCall(opts: { amountPence?: number; name?: string } = {}) {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), ...opts });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    expect(res.body).toMatchObject({ outcome: 'queued', job_id: expect.stringMatching(/^ivr:/) });
    const call = await h.twilio.nextCall(client.phone ?? '');
    return { call, client, invoice, jobId: res.body.job_id as string };
  }
  // The dialler records the sid right after Twilio accepts the call; a webhook may set it first.
  const record = (callSid: string) =>
    waitFor(() => h.deps.db.ivrCall.findUnique({ where: { callSid } }), { what: `the IvrCall of ${callSid}` });

  it('"Yes, I accept" -> willing_to_pay / confirmed, greeting spoken from the account data', async () => {
    const { call, client } = await placeCall({ name: 'Jane Smith' });
    const greeting = await h.twilio.answerAsDebtor(call);
    expect(greeting).toContain('<Gather input="speech"');
    expect(greeting).toContain('voice="Polly.Amy-Neural"');
    // The balance only after the identity check (the greeting asked for Jane Smith and her postcode).
    expect(call.twiml[0]).toContain('May I speak to Jane Smith?');
    expect(call.twiml[0]).not.toContain('£');
    expect(greeting).toContain('Your outstanding balance with Acme Lending is £600');
    expect(greeting).toContain('payment plan of £100 per month for 6 months');
    expect(greeting).toContain('Thank you, Jane Smith');

    const close = await h.twilio.say(call, 'Yes, I accept.');
    expect(close).toContain('<Hangup/>');
    expect(close).toContain('is agreed');

    const row = await record(call.callSid);
    expect(row).toMatchObject({
      intent: 'willing_to_pay',
      status: 'confirmed',
      confirmationResponse: 'Yes, I accept.',
      retryCount: 0,
      classifier: 'local',
      callerPhone: client.phone,
      agreedMonthlyPence: 10_000,
      agreedMonths: 6,
    });
    expect(row.confidence).toBeGreaterThanOrEqual(80);
    const transcript = row.transcript as Array<{ speaker: string; text: string; note?: string }>;
    expect(transcript.map((t) => t.speaker)).toEqual(['agent', 'customer', 'agent', 'customer', 'agent']);
    expect(transcript[1]).toMatchObject({ text: '[identity answer withheld]' });
    expect(transcript[3]).toMatchObject({ text: 'Yes, I accept.', note: 'sandbox' });
    expect(row.identityVerifiedAt).toBeInstanceOf(Date);
    expect(await h.deps.db.ivrCall.count({ where: { clientId: client.id } })).toBe(1);
    const attempt = await h.deps.db.contactAttempt.findFirstOrThrow({ where: { clientId: client.id, channel: 'ivr_call' } });
    expect(attempt).toMatchObject({ status: 'sent', providerMessageId: call.callSid });

    // The agreed plan is recorded on the invoice, and the written confirmation the call promised is queued for the notifier.
    const plan = await h.deps.db.paymentPlan.findFirstOrThrow({
      where: { invoiceId: row.invoiceId! },
      include: { installments: { orderBy: { sequence: 'asc' } } },
    });
    expect(plan).toMatchObject({ status: 'proposed', source: 'ivr', totalPence: 60_000, installmentCount: 6, frequency: 'monthly' });
    expect(plan.installments.map((i) => i.amountPence)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(plan.installments[0]!.dueDate.toISOString().slice(0, 10)).toBe('2026-11-25');
    // On the invoice's timeline, written with the plan by the collections core.
    const events = await h.deps.db.invoiceEvent.findMany({ where: { invoiceId: row.invoiceId!, type: 'payment_plan_agreed' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: 'ivr',
      detail: expect.objectContaining({ payment_plan_id: plan.id, status: 'proposed', source: 'ivr' }),
    });
    expect(((await record(call.callSid)).negotiation as { paymentPlanId?: string }).paymentPlanId).toBe(plan.id);
    const confirmation = await h.deps.db.contactAttempt.findFirstOrThrow({
      where: { clientId: client.id, purpose: 'payment_plan_confirmation' },
    });
    expect(confirmation).toMatchObject({
      channel: 'sms',
      templateId: 'payment_plan_confirmation.sms',
      status: 'queued',
      jobId: `ivr-plan-${plan.id}-confirmation`,
    });
    const job = await h.deps.producer.queue('notifications').getJob(confirmation.jobId!);
    expect(job?.data).toMatchObject({
      template_id: 'payment_plan_confirmation.sms',
      purpose: 'payment_plan_confirmation',
      invoice_id: row.invoiceId,
    });
  });

  it('"I don\'t owe this" -> the dispute is opened, the invoice is disputed, its queued contacts withdrawn, the call ends', async () => {
    const { call, client, invoice } = await placeCall();
    // A reminder the notifier had queued for the same invoice: a disputed debt is not chased (CONC 7.14).
    const reminder = await recordQueuedContact(h.deps.db, {
      tenantId: h.tenantId,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: 'sms',
      purpose: 'reminder',
      jobId: `test-reminder-${invoice.id}`,
    });
    await h.twilio.answerAsDebtor(call);
    const close = await h.twilio.say(call, "I don't owe this, I never ordered anything from you.");
    expect(close).toContain('<Hangup/>');
    expect(close).toContain('dispute this debt');

    const dispute = await h.deps.db.dispute.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    expect(dispute).toMatchObject({ source: 'ivr', resolvedAt: null, reference: expect.stringMatching(/^DSP-/) });
    expect((await h.deps.db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe('disputed');
    expect(await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { id: reminder.id } })).toMatchObject({ status: 'cancelled' });
    const event = await h.deps.db.invoiceEvent.findFirstOrThrow({ where: { invoiceId: invoice.id, type: 'dispute_opened' } });
    expect(event).toMatchObject({ actor: 'ivr', toStatus: 'disputed' });
    const row = await record(call.callSid);
    expect(row.status).toBe('completed');
    expect((row.negotiation as { disputeReference?: string }).disputeReference).toBe(dispute.reference);
    expect(await h.deps.db.paymentPlan.count({ where: { invoiceId: invoice.id } })).toBe(0);
  });

  it('never dials a queued call for an invoice disputed before its time came, nor queues a new one', async () => {
    const night = () => new Date('2026-11-18T22:30:00Z');
    const outbound = new OutboundCallService({
      db: h.deps.db,
      compliance: new ComplianceService({ db: h.deps.db, clock: night }),
      limiter: new RateLimiter(h.deps.redis),
      producer: h.deps.producer,
      estimatedCostPence: 25,
      clock: night,
    });
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: night() });
    const queued = await outbound.request({
      tenantId: h.tenantId,
      clientId: client.id,
      invoiceId: invoice.id,
      campaignId: 'disputed-later',
      requestedBy: 'test',
    });
    expect(queued.outcome).toBe('scheduled');

    const opened = await openDispute(
      { db: h.deps.db, producer: h.deps.producer },
      { tenantId: h.tenantId, invoiceId: invoice.id, source: 'creditor', actor: 'test' },
    );
    expect(opened.cancelledContacts).toBe(1);
    expect(await h.deps.producer.queue('ivr-calls').getJob(queued.job_id!)).toBeUndefined();

    // A worker that had already taken the job re-reads the attempt; one added by hand re-reads the invoice.
    const dialled: string[] = [];
    const processor = new IvrCallProcessor({
      db: h.deps.db,
      repository: h.deps.repository,
      compliance: new ComplianceService({ db: h.deps.db, clock: h.clock }),
      placer: {
        provider: 'sandbox',
        placeCall: (c) => {
          dialled.push(c.to);
          return Promise.reject(new Error('must not dial'));
        },
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
    const job = { tenant_id: h.tenantId, client_id: client.id, invoice_id: invoice.id, requested_by: 'test' };
    expect(await processor.process(job, queued.job_id!)).toEqual({ outcome: 'cancelled' });
    expect(await processor.process(job, 'ivr:by-hand-after-dispute')).toEqual({ outcome: 'cancelled' });
    expect(dialled).toEqual([]);
    expect(await h.deps.db.ivrCall.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect(await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { jobId: 'ivr:by-hand-after-dispute' } })).toMatchObject({
      status: 'cancelled',
      failureReason: 'invoice is disputed',
    });

    const again = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id, campaign_id: 'after-dispute' }),
    });
    expect(again.status).toBe(422);
    expect(again.body.reasons[0].code).toBe('DEBT_DISPUTED');
  });

  it('speaks the balance every message quotes: statutory charges where the creditor claims them from a business, itemised', async () => {
    const tenant = await seedTenant(h.deps.db, { name: 'Brick Supplies Ltd', claimsLatePaymentCharges: true });
    const key = (await new ApiKeyService(h.deps.db).issue(tenant.id)).key;
    const { client, invoice } = await seedDebtor(h.deps.db, tenant.id, { now: h.clock(), kind: 'business' });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      key,
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    expect(res.status).toBe(202);
    const call = await h.twilio.nextCall(client.phone ?? '');
    const greeting = await h.twilio.answerAsDebtor(call);
    const quote = quoteBalance({ invoice, clientKind: 'business', claimsLatePaymentCharges: true });
    expect(quote.totalPence).toBeGreaterThan(invoice.amountPence);
    expect(greeting).toContain(`outstanding balance with Brick Supplies Ltd is ${spokenMoney(quote.totalPence, 'GBP')}`);
    // Itemised, and the plan clears the invoice amount the core's ledger holds (the charges are claimed, not instalments).
    expect(greeting).toContain(`includes ${spokenMoney(quote.interestPence + quote.compensationPence, 'GBP')} of statutory interest`);
    expect(greeting).toContain('payment plan of £100 per month for 6 months');
    expect(await h.twilio.say(call, 'Yes, I accept.')).toContain('is agreed');
    const plan = await h.deps.db.paymentPlan.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    expect(plan).toMatchObject({ status: 'proposed', source: 'ivr', totalPence: quote.principalPence });
  });

  it('"No, I can\'t afford that" -> asks what they can afford, counter-offers within it, confirms', async () => {
    const { call, client } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    const ask = await h.twilio.say(call, "No, I can't afford that.");
    expect(ask).toContain('How much could you pay each month');
    expect((await record(call.callSid)).status).toBe('needs_negotiation');

    const counter = await h.twilio.say(call, 'I can pay fifty pounds a month.');
    expect(counter).toContain('£50 per month for 12 months');
    const row1 = await record(call.callSid);
    expect(row1).toMatchObject({ intent: 'needs_negotiation', status: 'needs_negotiation' });
    expect(row1.paymentPlan).toMatchObject({ monthlyPence: 5000, months: 12, kind: 'counter_offer' });

    await h.twilio.say(call, 'Yes, that works.');
    const row = await record(call.callSid);
    expect(row).toMatchObject({
      intent: 'willing_to_pay',
      status: 'confirmed',
      agreedMonthlyPence: 5000,
      agreedMonths: 12,
      confirmationResponse: 'Yes, that works.',
    });
    expect((row.transcript as unknown[]).length).toBe(9); // the identity question and its answer first
    expect(await h.deps.db.ivrCall.count({ where: { clientId: client.id } })).toBe(1);
  });

  it('"Can you repeat the plan?" then "Yes" -> ONE record holding both answers', async () => {
    const { call, client } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    const repeat = await h.twilio.say(call, 'Can you repeat the plan?');
    expect(repeat).toContain('Of course. The proposal is a payment plan of £100 per month for 6 months');
    expect((await record(call.callSid)).status).toBe('pending_clarification');
    await h.twilio.say(call, 'Yes');
    const rows = await h.deps.db.ivrCall.findMany({ where: { clientId: client.id } });
    expect(rows).toHaveLength(1);
    const texts = (rows[0]!.transcript as Array<{ speaker: string; text: string }>)
      .filter((t) => t.speaker === 'customer')
      .map((t) => t.text);
    expect(texts).toEqual(['[identity answer withheld]', 'Can you repeat the plan?', 'Yes']);
    expect(rows[0]).toMatchObject({ intent: 'willing_to_pay', status: 'confirmed', retryCount: 1 });
  });

  it('transfers to the specialist (<Dial>) when no plan fits within policy', async () => {
    const { call } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    await h.twilio.say(call, 'No, that is too much.');
    const twiml = await h.twilio.say(call, 'I could only do five pounds.');
    expect(twiml).toContain('<Dial timeout="30"><Number>+442071234567</Number></Dial>');
    // Nobody answering the transfer hears a call-back promise, not silence.
    expect(twiml).toMatch(/<\/Dial><Say[^>]*>Sorry, nobody could take your call just now/);
    expect(await record(call.callSid)).toMatchObject({ status: 'transferred', intent: 'needs_negotiation' });
  });

  it('transfers at once when the customer asks for a person', async () => {
    const { call } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    expect(await h.twilio.say(call, 'Can I speak to a real person?')).toContain('<Dial');
  });

  it('gives up politely after the bounded number of retries on silence', async () => {
    const { call } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    expect(await h.twilio.say(call, '')).toContain("Sorry, I didn't hear anything.");
    await h.twilio.say(call, '');
    const last = await h.twilio.say(call, '');
    expect(last).toContain('<Hangup/>');
    expect(last).toContain('try again another time');
    expect(await record(call.callSid)).toMatchObject({ status: 'no_response', intent: 'no_response', retryCount: 3 });
  });

  it('answers a retried webhook with the first answer and records the turn once', async () => {
    const { call } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    const first = await h.twilio.say(call, 'Maybe.');
    const again = await h.twilio.redeliver(call);
    expect(again).toMatchObject({ status: 200, body: first, replayed: true });
    const row = await record(call.callSid);
    expect((row.transcript as unknown[]).length).toBe(5); // the identity question and its answer first
    expect(row.retryCount).toBe(1);
  });

  it('refuses unsigned or wrongly signed webhooks', async () => {
    const { call } = await placeCall();
    const unsigned = await fetch(call.answerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `CallSid=${call.callSid}`,
    });
    expect(unsigned.status).toBe(403);
    const forged = await h.twilio.post(call.answerUrl, { CallSid: call.callSid }, 'not-the-auth-token-000000');
    expect(forged.status).toBe(403);
    expect((await record(call.callSid)).status).toBe('initiated');
  });

  it('records an unanswered call from the status callback', async () => {
    const { call } = await placeCall();
    expect(await h.twilio.status(call, 'no-answer')).toBe(204);
    expect(await record(call.callSid)).toMatchObject({ status: 'no_response' });
    const attempt = await h.deps.db.contactAttempt.findFirstOrThrow({ where: { providerMessageId: call.callSid } });
    expect(attempt.status).toBe('no_answer');
  });
});
