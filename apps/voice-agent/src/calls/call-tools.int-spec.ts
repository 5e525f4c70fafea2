import { seedDebt, startVoiceHarness, WEDNESDAY_11AM, type VoiceHarness } from '../../test/voice-harness';

/** The agent's tools straight through CallTools.run, as the Realtime bridge and the Gather flow call them. */
describe('call tools on the collections core', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());
  beforeEach(() => h.setNow(WEDNESDAY_11AM));

  let n = 0;
  // These calls are past the identity check (its own tests below start before it).
  const callAbout = async (
    s: Awaited<ReturnType<typeof seedDebt>>,
    params: Record<string, unknown> = {},
    o: { verified?: boolean; sid?: string } = {},
  ) =>
    h.db.call.create({
      data: {
        tenantId: s.tenant.id,
        clientId: s.client.id,
        invoiceId: s.invoice.id,
        kind: 'ai',
        params: params as object,
        identityVerifiedAt: o.verified === false ? null : new Date(),
        providerCallSid: o.sid ?? null,
      },
    });
  const run = (call: { id: string }, name: string, args: Record<string, unknown> = {}) =>
    h.deps.tools.run(call as never, name, JSON.stringify(args), `tc-${++n}`);

  it('a plan agreed on the call is proposed, its instalments adding up to the balance to the penny', async () => {
    const s = await seedDebt(h.db, { amountPence: 250_01 });
    const call = await callAbout(s);
    const r = await run(call, 'propose_payment_plan', { installments: 3, frequency: 'monthly', first_payment_date: '2026-12-31' });
    expect(r.ok).toBe(true);
    const plan = await h.db.paymentPlan.findFirstOrThrow({ where: { invoiceId: s.invoice.id }, include: { installments: true } });
    expect(plan).toMatchObject({ status: 'proposed', totalPence: 250_01, installmentCount: 3, source: 'voice_agent' });
    expect(
      plan.installments.sort((a, b) => a.sequence - b.sequence).map((i) => [i.dueDate.toISOString().slice(0, 10), i.amountPence]),
    ).toEqual([
      ['2026-12-31', 83_34],
      ['2027-01-31', 83_34],
      ['2027-02-28', 83_33],
    ]);
    const again = await run(call, 'propose_payment_plan', { installments: 2 });
    expect(again).toMatchObject({ ok: false, message: expect.stringMatching(/already on record/) });
    expect(await h.db.paymentPlan.count({ where: { invoiceId: s.invoice.id } })).toBe(1);
  });

  it('asking for a callback moves the next action to that time; stopping calls cancels the queued calls', async () => {
    const s = await seedDebt(h.db);
    const queuedCall = await h.db.contactAttempt.create({
      data: {
        tenantId: s.tenant.id,
        clientId: s.client.id,
        invoiceId: s.invoice.id,
        channel: 'ivr_call',
        purpose: 'reminder',
        status: 'queued',
        jobId: `ivr-${s.invoice.id}`,
      },
    });
    const call = await callAbout(s);
    await run(call, 'request_callback', { when: '2026-11-19T10:00:00Z', reason: 'wants a person' });
    expect((await h.db.invoice.findUniqueOrThrow({ where: { id: s.invoice.id } })).nextActionAt).toEqual(new Date('2026-11-19T10:00:00Z'));
    const stop = await run(call, 'opt_out', { channel: 'all_calls' });
    expect(stop).toMatchObject({ ok: true, endCall: true });
    expect((await h.db.client.findUniqueOrThrow({ where: { id: s.client.id } })).stoppedChannels.sort()).toEqual(['ai_call', 'ivr_call']);
    expect((await h.db.contactAttempt.findUniqueOrThrow({ where: { id: queuedCall.id } })).status).toBe('cancelled');
    const timeline = await h.db.invoiceEvent.findMany({ where: { invoiceId: s.invoice.id }, orderBy: { occurredAt: 'asc' } });
    expect(timeline.map((e) => [e.type, e.actor])).toEqual([
      ['callback_requested', 'voice_agent'],
      ['contact_channels_stopped', 'voice_agent'],
    ]);
  });

  it('a second dispute on the call gives the same reference; a promise on a disputed invoice is refused with the reason', async () => {
    const s = await seedDebt(h.db);
    const call = await callAbout(s, { enable_payment_during_call: true });
    const first = await run(call, 'record_dispute', { reason: 'never ordered it' });
    const second = await run(call, 'record_dispute', { reason: 'never ordered it' });
    expect(second.data?.dispute_reference).toBe(first.data?.dispute_reference);
    expect(await h.db.dispute.count({ where: { invoiceId: s.invoice.id } })).toBe(1);
    const promise = await run(call, 'record_promise_to_pay', { date: '2026-11-27' });
    expect(promise).toMatchObject({ ok: false, message: expect.stringContaining('disputed') });
    const link = await run(call, 'send_payment_link');
    expect(link).toMatchObject({ ok: false, message: expect.stringContaining('disputed') });
    expect(await h.db.paymentPromise.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
    expect(await h.db.paymentLink.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
  });

  describe('identity before disclosure, consent, vulnerability, transfer (issue 15)', () => {
    const briefing = 'Identity confirmed. Now say: ... 250.00 is outstanding';

    it('refuses every tool that discloses or takes money until our code accepted the identity answer', async () => {
      const s = await seedDebt(h.db);
      const call = await callAbout(
        s,
        { enable_payment_during_call: true, after_identity: briefing, recipient_name: 'Sam Taylor' },
        { verified: false },
      );
      for (const [name, args] of [
        ['send_payment_link', {}],
        ['record_promise_to_pay', { date: '2026-11-27' }],
        ['propose_payment_plan', { installments: 3 }],
      ] as const) {
        const r = await run(call, name, args);
        expect(r).toMatchObject({ ok: false, message: expect.stringContaining('identity') });
        expect(r.message).not.toContain('250');
      }
      expect(await h.db.paymentLink.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
      expect(await h.db.paymentPromise.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
      // "Speaking." is not a postcode: no match, one attempt left; the right postcode (any spacing) discloses.
      const wrong = await run(call, 'verify_identity', { answer: 'Speaking.' });
      expect(wrong).toMatchObject({ ok: false, message: expect.stringContaining('postcode') });
      expect(wrong.message).not.toContain('250');
      const right = await run(call, 'verify_identity', { answer: 'sw1a1aa' });
      expect(right).toMatchObject({ ok: true, message: briefing });
      expect(await run(call, 'record_promise_to_pay', { date: '2026-11-27' })).toMatchObject({ ok: true });
      // The answer itself is never stored.
      const actions = await h.db.callAction.findMany({ where: { callId: call.id, name: 'verify_identity' } });
      expect(JSON.stringify(actions)).not.toMatch(/sw1a1aa|Speaking/);
    });

    it('two wrong answers end the call with a call-back request and no debt detail; a third is not even checked', async () => {
      const s = await seedDebt(h.db);
      const call = await callAbout(
        s,
        { after_identity: briefing, recipient_name: 'Sam Taylor', business_name: 'Acme' },
        { verified: false },
      );
      await run(call, 'verify_identity', { answer: 'LS1 4AP' });
      const last = await run(call, 'verify_identity', { answer: 'M1 1AA' });
      // The model is told to say nothing more; the call-back request (no debt detail) is played by our code.
      expect(last).toMatchObject({ ok: false, endCall: true, message: expect.stringContaining('Say nothing about why you called') });
      const closing = h.deps.live.takeClosing(call.id)?.say.join(' ') ?? '';
      expect(closing).toContain('ask Sam Taylor to call Acme back');
      expect(closing).not.toMatch(/£|balance|invoice|owe/i);
      expect(await run(call, 'verify_identity', { answer: 'SW1A 1AA' })).toMatchObject({ ok: false, endCall: true });
      expect((await h.db.call.findUniqueOrThrow({ where: { id: call.id } })).identityVerifiedAt).toBeNull();
      expect(await run(call, 'send_payment_link')).toMatchObject({ ok: false });
    });

    it("keys: the tenant's date-of-birth check answered on the keypad; 0 asks for a person", async () => {
      const s = await seedDebt(h.db);
      await h.db.tenant.update({ where: { id: s.tenant.id }, data: { identityCheck: 'date_of_birth' } });
      await h.db.client.update({ where: { id: s.client.id }, data: { dateOfBirth: new Date('1980-03-05') } });
      const call = await callAbout(s, { after_identity: briefing }, { verified: false });
      expect(await h.deps.tools.onKeys(call as never, '05031980', 1)).toMatchObject({ ok: true, message: briefing });
      expect(await h.deps.tools.onKeys(call as never, '1234', 2)).toBeNull(); // after identity: the model hears them
      const callback = await h.deps.tools.onKeys(call as never, '0', 3);
      expect(callback).toMatchObject({ ok: true, data: { transferred: false, callback: true } });
    });

    it('vulnerability: the debtor is flagged for a person, queued contacts cancelled, the call ends with the signposting', async () => {
      const s = await seedDebt(h.db);
      const queued = await h.db.contactAttempt.create({
        data: {
          tenantId: s.tenant.id,
          clientId: s.client.id,
          invoiceId: s.invoice.id,
          channel: 'sms',
          purpose: 'reminder',
          status: 'queued',
          jobId: `sms-${s.invoice.id}`,
        },
      });
      const call = await callAbout(s, {}, { verified: false });
      const r = await run(call, 'record_vulnerability', { category: 'life_event', note: 'lost job' });
      expect(r).toMatchObject({ ok: true, endCall: true, data: { cancelled_contacts: 1, signposted: true } });
      const client = await h.db.client.findUniqueOrThrow({ where: { id: s.client.id } });
      expect(client.vulnerable).toBe(true);
      expect(client.vulnerabilityNote).toMatch(/call: life_event \(lost job\)/);
      expect((await h.db.contactAttempt.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe('cancelled');
      expect(
        (await h.db.invoiceEvent.findFirstOrThrow({ where: { invoiceId: s.invoice.id, type: 'vulnerability_recorded' } })).detail,
      ).toMatchObject({
        category: 'life_event',
        needs_review: true,
      });
      expect((await h.db.call.findUniqueOrThrow({ where: { id: call.id } })).sensitive).toBe(true);
      const closing = h.deps.live.takeClosing(call.id);
      expect(closing?.say.join(' ')).toMatch(/MoneyHelper.*StepChange.*National Debtline/);
      const turns = await h.db.callTurn.findMany({ where: { callId: call.id } });
      expect(turns.map((t) => t.text).join(' ')).toContain('StepChange');
    });

    it("transfer: a <Dial> to the tenant's number with our caller id; with no number configured, a call-back through the core", async () => {
      const s = await seedDebt(h.db);
      const none = await callAbout(s);
      expect(await run(none, 'transfer_to_agent', { reason: 'wants a person' })).toMatchObject({ ok: true, data: { callback: true } });
      expect(await h.db.invoiceEvent.count({ where: { invoiceId: s.invoice.id, type: 'callback_requested' } })).toBe(1);
      await h.db.tenant.update({ where: { id: s.tenant.id }, data: { transferPhone: '+442071234567' } });
      const call = await callAbout(s);
      expect(await run(call, 'transfer_to_agent')).toMatchObject({ ok: true, endCall: true, data: { transferred: true } });
      expect((await h.db.call.findUniqueOrThrow({ where: { id: call.id } })).transferredAt).toBeInstanceOf(Date);
      expect(h.deps.live.takeClosing(call.id)).toMatchObject({
        dial: { number: '+442071234567', action: expect.stringContaining(`/api/webhooks/twilio/voice/transfer?call=${call.id}`) },
      });
    });

    it('a refusal of the recording is stored and stops the live recording; one not started yet never starts', async () => {
      const s = await seedDebt(h.db);
      const sid = 'CA' + 'e'.repeat(32);
      const call = await callAbout(s, {}, { verified: false, sid });
      await h.deps.live.startRecording(call.id);
      const started = await h.db.call.findUniqueOrThrow({ where: { id: call.id } });
      expect(started.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
      expect(await run(call, 'stop_recording')).toMatchObject({ ok: true });
      expect((await h.db.call.findUniqueOrThrow({ where: { id: call.id } })).recordingConsent).toBe('refused');
      const controls = await h.db.sandboxMessage.findMany({
        where: { metadata: { path: ['recordingSid'], equals: started.recordingSid ?? '' } },
        orderBy: { createdAt: 'asc' },
      });
      expect(controls.map((m) => (m.metadata as { status: string }).status)).toEqual(['in-progress', 'stopped']);
      const other = await callAbout(s, {}, { verified: false, sid: 'CA' + 'f'.repeat(32) });
      await run(other, 'stop_recording');
      await h.deps.live.startRecording(other.id);
      expect((await h.db.call.findUniqueOrThrow({ where: { id: other.id } })).recordingSid).toBeNull();
    });
  });
});
