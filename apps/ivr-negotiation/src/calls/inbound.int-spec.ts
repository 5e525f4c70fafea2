import type { TenantCallEvent } from './call-events';
import { openDispute } from '@recoup/collections';
import { waitFor } from '@recoup/testing';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor, seedTenant } from '../testing/seed';
import { IvrCallService } from './ivr-call.service';

/** The number debtors dial (a tenant's IVR number); registered in `collectionPolicy.ivr_numbers` once there are two tenants. */
const IVR_NUMBER = '+442071230000';
const OTHER_TENANT_NUMBER = '+442071239999';

/**
 * The product's scenarios as calls the debtor places to us: Twilio's signed /voice with Direction=inbound and the
 * debtor's number as From, the identity step answered by the caller, then /process-response turns.
 */
describe('inbound IVR calls (the debtor calls us)', () => {
  let h: IvrHarness;
  let refs = 0;
  beforeAll(async () => {
    h = await startIvr();
  });
  afterAll(() => h?.close());

  /** A debtor with one overdue £600 invoice whose reference ends in four digits (keyable). */
  async function debtor(opts: { name?: string; address?: { lines: string[]; postcode: string } } = {}) {
    refs++;
    const reference = `INV-2026-${String(4000 + refs)}`;
    const seeded = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), reference, ...opts });
    return { ...seeded, reference, last4: reference.slice(-4), digits: reference.replace(/\D/g, '') };
  }
  const record = (callSid: string) => h.deps.db.ivrCall.findUniqueOrThrow({ where: { callSid } });
  const customerWords = (row: { transcript: unknown }) =>
    (row.transcript as Array<{ speaker: string; text: string }>).filter((t) => t.speaker === 'customer').map((t) => t.text);

  /** The debtor calls from their own number and confirms the last four characters of their reference. */
  async function callInAndConfirm(opts: { name?: string } = {}) {
    const d = await debtor(opts);
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    const ask = await h.twilio.answer(call);
    expect(ask).toContain('<Gather input="dtmf speech"');
    expect(ask).toContain('last four characters of the reference');
    // Nothing about the account before the caller is confirmed: no name, no balance.
    expect(ask).not.toContain('£');
    expect(ask).not.toContain(d.client.name);
    const offer = await h.twilio.key(call, d.last4);
    return { ...d, call, offer };
  }

  it('"Yes, I accept" -> identity confirmed, the offer, willing_to_pay / confirmed: one record, on the dashboard', async () => {
    const seen: TenantCallEvent[] = [];
    h.deps.events.subscribe((e) => seen.push(e));
    const { call, offer, client, invoice } = await callInAndConfirm({ name: 'Jane Smith' });
    expect(offer).toContain('<Gather input="speech"');
    expect(offer).toContain('Thank you, Jane Smith. Your outstanding balance with Acme Lending is £600');
    expect(offer).toContain('payment plan of £100 per month for 6 months');

    const close = await h.twilio.say(call, 'Yes, I accept.');
    expect(close).toContain('is agreed');
    const row = await record(call.callSid);
    expect(row).toMatchObject({
      campaignId: 'inbound',
      clientId: client.id,
      invoiceId: invoice.id,
      callerPhone: client.phone,
      customerName: 'Jane Smith',
      intent: 'willing_to_pay',
      status: 'confirmed',
      confirmationResponse: 'Yes, I accept.',
      agreedMonthlyPence: 10_000,
      agreedMonths: 6,
      retryCount: 0,
    });
    // The identity answer is checked by our code and never stored.
    expect(customerWords(row)).toEqual(['[identity answer withheld]', 'Yes, I accept.']);
    expect(await h.deps.db.ivrCall.count({ where: { clientId: client.id } })).toBe(1);
    // The decision is audited as a contact the debtor asked for.
    const audit = await h.deps.db.complianceAudit.findFirstOrThrow({ where: { clientId: client.id, channel: 'ivr_call' } });
    expect(audit).toMatchObject({ allowed: true, actor: 'ivr:inbound', invoiceId: invoice.id });
    expect(audit.context).toMatchObject({ debtor_requested: true });
    // The plan is recorded by the core, as on an outbound call.
    expect(await h.deps.db.paymentPlan.findFirstOrThrow({ where: { invoiceId: invoice.id } })).toMatchObject({
      source: 'ivr',
      totalPence: 60_000,
    });
    // The dashboard: the list and the live stream carry the call as it goes.
    const list = await api(h, '/api/calls?page_size=100');
    expect(list.body.data.find((c: { call_sid: string }) => c.call_sid === call.callSid)).toMatchObject({
      campaign_id: 'inbound',
      status: 'confirmed',
      intent: 'willing_to_pay',
    });
    await waitFor(() => seen.some((e) => e.event.call.call_sid === call.callSid && e.event.call.status === 'confirmed'), {
      what: 'the confirmed call on the live stream',
    });
    expect(seen.find((e) => e.event.call.call_sid === call.callSid)?.event.type).toBe('created');
  });

  it('"No, I can\'t afford that" -> what they can afford, a counter-offer within it, confirmed', async () => {
    const { call, client } = await callInAndConfirm();
    expect(await h.twilio.say(call, "No, I can't afford that.")).toContain('How much could you pay each month');
    expect((await record(call.callSid)).status).toBe('needs_negotiation');
    expect(await h.twilio.say(call, 'I can pay fifty pounds a month.')).toContain('£50 per month for 12 months');
    await h.twilio.say(call, 'Yes, that works.');
    expect(await record(call.callSid)).toMatchObject({
      intent: 'willing_to_pay',
      status: 'confirmed',
      agreedMonthlyPence: 5000,
      agreedMonths: 12,
    });
    expect(await h.deps.db.ivrCall.count({ where: { clientId: client.id } })).toBe(1);
  });

  it('"Can you repeat the plan?" then "Yes" -> ONE record holding both answers', async () => {
    const { call, client } = await callInAndConfirm();
    expect(await h.twilio.say(call, 'Can you repeat the plan?')).toContain(
      'Of course. The proposal is a payment plan of £100 per month for 6 months',
    );
    await h.twilio.say(call, 'Yes');
    const rows = await h.deps.db.ivrCall.findMany({ where: { clientId: client.id } });
    expect(rows).toHaveLength(1);
    expect(customerWords(rows[0]!)).toEqual(['[identity answer withheld]', 'Can you repeat the plan?', 'Yes']);
    expect(rows[0]).toMatchObject({ intent: 'willing_to_pay', status: 'confirmed', retryCount: 1, campaignId: 'inbound' });
  });

  it('an unknown caller is asked for a reference by keypad and reaches the offer after keying it', async () => {
    const d = await debtor();
    const call = h.twilio.callIn(h.url, { from: '+447400999001', to: IVR_NUMBER });
    const ask = await h.twilio.answer(call);
    expect(ask).toContain('<Gather input="dtmf speech"');
    expect(ask).toContain('key in the reference on your invoice');
    const offer = await h.twilio.key(call, d.digits);
    expect(offer).toContain('Your outstanding balance with Acme Lending is £600');
    await h.twilio.say(call, 'Yes, I accept.');
    expect(await record(call.callSid)).toMatchObject({
      clientId: d.client.id,
      invoiceId: d.invoice.id,
      callerPhone: '+447400999001',
      status: 'confirmed',
      campaignId: 'inbound',
    });
  });

  it('a wrong identity answer hears no balance: once more, then a polite goodbye', async () => {
    const d = await debtor({ name: 'Sam Private' });
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    await h.twilio.answer(call);
    const again = await h.twilio.key(call, '9999');
    expect(again).toContain("doesn't match our records");
    const bye = await h.twilio.say(call, 'one two three four');
    expect(bye).toContain('<Hangup/>');
    for (const twiml of call.twiml) {
      expect(twiml).not.toContain('£');
      expect(twiml).not.toContain('600');
      expect(twiml).not.toContain('Sam Private');
      expect(twiml).not.toContain(d.reference);
    }
    const row = await record(call.callSid);
    expect(row).toMatchObject({ status: 'completed', invoiceId: null, customerName: null, intent: null });
    expect(await h.deps.db.complianceAudit.count({ where: { clientId: d.client.id } })).toBe(0);
  });

  it('a wrong reference twice ends the call without a word about any account', async () => {
    await debtor();
    const call = h.twilio.callIn(h.url, { from: '+447400999002', to: IVR_NUMBER });
    await h.twilio.answer(call);
    expect(await h.twilio.key(call, '12345678')).toContain('Please try once more');
    const bye = await h.twilio.key(call, '87654321');
    expect(bye).toContain("couldn't find your account");
    expect(bye).toContain('<Hangup/>');
    expect(await record(call.callSid)).toMatchObject({ status: 'completed', clientId: null, invoiceId: null });
  });

  it('asks for the postcode on file when there is one, and checks it', async () => {
    const d = await debtor({ address: { lines: ['10 Downing Street', 'London'], postcode: 'SW1A 2AA' } });
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    expect(await h.twilio.answer(call)).toContain('please say the postcode');
    expect(await h.twilio.say(call, 'SW1A 2AB.')).toContain("doesn't match our records");
    expect(await h.twilio.say(call, 'S W one A 2 A A.')).toContain('£600');
  });

  it('honours a breathing space: the caller is told no payment is asked for, and the decision is audited', async () => {
    const d = await debtor();
    const now = h.clock();
    await h.deps.db.client.update({
      where: { id: d.client.id },
      data: { breathingSpaceStart: new Date(now.getTime() - 86_400_000), breathingSpaceEnd: new Date(now.getTime() + 59 * 86_400_000) },
    });
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    await h.twilio.answer(call);
    const close = await h.twilio.key(call, d.last4);
    expect(close).toContain('breathing space');
    expect(close).toContain('<Hangup/>');
    expect(close).not.toContain('£');
    expect(await record(call.callSid)).toMatchObject({ status: 'completed', invoiceId: d.invoice.id });
    const audit = await h.deps.db.complianceAudit.findFirstOrThrow({ where: { clientId: d.client.id } });
    expect(audit.allowed).toBe(false);
    expect((audit.reasons as Array<{ code: string }>).map((r) => r.code)).toContain('BREATHING_SPACE_ACTIVE');
  });

  it('honours a dispute: a debtor calling about a disputed invoice gives its reference and hears it is on hold', async () => {
    const d = await debtor();
    await openDispute(
      { db: h.deps.db, producer: h.deps.producer },
      { tenantId: h.tenantId, invoiceId: d.invoice.id, source: 'creditor', actor: 'test' },
    );
    // No collectable invoice on their number any more: the reference says which account the call is about.
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    expect(await h.twilio.answer(call)).toContain('key in the reference');
    const close = await h.twilio.key(call, d.digits);
    expect(close).toContain('on hold while your dispute is looked into');
    expect(close).not.toContain('£');
    const audit = await h.deps.db.complianceAudit.findFirstOrThrow({ where: { clientId: d.client.id, actor: 'ivr:inbound' } });
    expect((audit.reasons as Array<{ code: string }>).map((r) => r.code)).toContain('DEBT_DISPUTED');
    expect(await h.deps.db.paymentPlan.count({ where: { invoiceId: d.invoice.id } })).toBe(0);
  });

  it('a debtor flagged vulnerable is put through to a person, never the automated offer', async () => {
    const d = await debtor();
    await h.deps.db.client.update({ where: { id: d.client.id }, data: { vulnerable: true } });
    const call = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    await h.twilio.answer(call);
    const twiml = await h.twilio.key(call, d.last4);
    expect(twiml).toContain('<Dial timeout="30"><Number>+442071234567</Number></Dial>');
    expect(twiml).not.toContain('£');
    expect(await record(call.callSid)).toMatchObject({ status: 'transferred', sensitive: true, invoiceId: d.invoice.id });
  });

  it('calling hours do not block a call the debtor placed (22:30), and the audit says why it went ahead', async () => {
    const night = () => new Date('2026-11-18T22:30:00Z');
    const service = new IvrCallService({
      collections: { db: h.deps.db, clock: night },
      repository: h.deps.repository,
      // The identity step never reaches the classifier.
      classifier: { name: 'local', classify: () => Promise.reject(new Error('not used before the caller is identified')) },
      events: h.deps.events,
      logger: h.deps.logger,
      publicBaseUrl: h.url,
      voice: { voice: 'Polly.Amy-Neural', language: 'en-GB' },
      maxRetries: 2,
    });
    const d = await debtor();
    const callSid = `CA${'1'.repeat(32)}`;
    await service.answer(undefined, callSid, { direction: 'inbound', from: d.client.phone!, to: IVR_NUMBER });
    const row = await record(callSid);
    expect(await service.respond(row.id, callSid, '', d.last4)).toContain('£600');
    const audit = await h.deps.db.complianceAudit.findFirstOrThrow({ where: { clientId: d.client.id } });
    expect((audit.reasons as Array<{ code: string }>).map((r) => r.code)).toContain('OUTSIDE_CONTACT_HOURS');
  });

  // Last: from here on the install has two tenants, so the number called decides whose debtor is calling.
  it('with several tenants, finds the tenant by its registered IVR number; an unregistered number is not answered', async () => {
    await h.deps.db.tenant.update({ where: { id: h.tenantId }, data: { collectionPolicy: { ivr_numbers: [IVR_NUMBER] } } });
    await seedTenant(h.deps.db, { name: 'Brick Supplies Ltd', collectionPolicy: { ivr_numbers: [OTHER_TENANT_NUMBER] } });
    const d = await debtor();

    const mine = h.twilio.callIn(h.url, { from: d.client.phone!, to: IVR_NUMBER });
    expect(await h.twilio.answer(mine)).toContain('Thank you for calling Acme Lending');
    expect(await h.twilio.key(mine, d.last4)).toContain('£600');

    // Acme's debtor calling Brick's number is a stranger there: asked for a reference, and Acme's does not match.
    const other = h.twilio.callIn(h.url, { from: d.client.phone!, to: OTHER_TENANT_NUMBER });
    expect(await h.twilio.answer(other)).toContain('Thank you for calling Brick Supplies Ltd. To find your account');
    expect(await h.twilio.key(other, d.digits)).toContain('Please try once more');

    const nobody = h.twilio.callIn(h.url, { from: d.client.phone!, to: '+442071235555' });
    expect(await h.twilio.answer(nobody)).toContain('this number cannot take your call');
    expect(await h.deps.db.ivrCall.count({ where: { callSid: nobody.callSid } })).toBe(0);
  });
});
