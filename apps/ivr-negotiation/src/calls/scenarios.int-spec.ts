import { waitFor } from '@recoup/testing';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

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
    const greeting = await h.twilio.answer(call);
    expect(greeting).toContain('<Gather input="speech"');
    expect(greeting).toContain('voice="Polly.Amy-Neural"');
    expect(greeting).toContain('courtesy call from Acme Lending regarding your outstanding balance of £600');
    expect(greeting).toContain('payment plan of £100 per month for 6 months');
    expect(greeting).toContain('Hello Jane Smith');

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
    expect(transcript.map((t) => t.speaker)).toEqual(['agent', 'customer', 'agent']);
    expect(transcript[1]).toMatchObject({ text: 'Yes, I accept.', note: 'sandbox' });
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

  it('"No, I can\'t afford that" -> asks what they can afford, counter-offers within it, confirms', async () => {
    const { call, client } = await placeCall();
    await h.twilio.answer(call);
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
    expect((row.transcript as unknown[]).length).toBe(7);
    expect(await h.deps.db.ivrCall.count({ where: { clientId: client.id } })).toBe(1);
  });

  it('"Can you repeat the plan?" then "Yes" -> ONE record holding both answers', async () => {
    const { call, client } = await placeCall();
    await h.twilio.answer(call);
    const repeat = await h.twilio.say(call, 'Can you repeat the plan?');
    expect(repeat).toContain('Of course. The proposal is a payment plan of £100 per month for 6 months');
    expect((await record(call.callSid)).status).toBe('pending_clarification');
    await h.twilio.say(call, 'Yes');
    const rows = await h.deps.db.ivrCall.findMany({ where: { clientId: client.id } });
    expect(rows).toHaveLength(1);
    const texts = (rows[0]!.transcript as Array<{ speaker: string; text: string }>)
      .filter((t) => t.speaker === 'customer')
      .map((t) => t.text);
    expect(texts).toEqual(['Can you repeat the plan?', 'Yes']);
    expect(rows[0]).toMatchObject({ intent: 'willing_to_pay', status: 'confirmed', retryCount: 1 });
  });

  it('transfers to the specialist (<Dial>) when no plan fits within policy', async () => {
    const { call } = await placeCall();
    await h.twilio.answer(call);
    await h.twilio.say(call, 'No, that is too much.');
    const twiml = await h.twilio.say(call, 'I could only do five pounds.');
    expect(twiml).toContain('<Dial timeout="30">+442071234567</Dial>');
    expect(await record(call.callSid)).toMatchObject({ status: 'transferred', intent: 'needs_negotiation' });
  });

  it('transfers at once when the customer asks for a person', async () => {
    const { call } = await placeCall();
    await h.twilio.answer(call);
    expect(await h.twilio.say(call, 'Can I speak to a real person?')).toContain('<Dial');
  });

  it('gives up politely after the bounded number of retries on silence', async () => {
    const { call } = await placeCall();
    await h.twilio.answer(call);
    expect(await h.twilio.say(call, '')).toContain('Sorry, I didn&apos;t hear anything.');
    await h.twilio.say(call, '');
    const last = await h.twilio.say(call, '');
    expect(last).toContain('<Hangup/>');
    expect(last).toContain('try again another time');
    expect(await record(call.callSid)).toMatchObject({ status: 'no_response', intent: 'no_response', retryCount: 3 });
  });

  it('answers a retried webhook with the first answer and records the turn once', async () => {
    const { call } = await placeCall();
    await h.twilio.answer(call);
    const first = await h.twilio.say(call, 'Maybe.');
    const again = await h.twilio.redeliver(call);
    expect(again).toMatchObject({ status: 200, body: first, replayed: true });
    const row = await record(call.callSid);
    expect((row.transcript as unknown[]).length).toBe(3);
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
