import { seedDebt, startVoiceHarness, WEDNESDAY_11AM, type VoiceHarness } from '../../test/voice-harness';

/** The agent's tools straight through CallTools.run, as the Realtime bridge and the Gather flow call them. */
describe('call tools on the collections core', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());
  beforeEach(() => h.setNow(WEDNESDAY_11AM));

  let n = 0;
  const callAbout = async (s: Awaited<ReturnType<typeof seedDebt>>, params: { enable_payment_during_call?: boolean } = {}) =>
    h.db.call.create({ data: { tenantId: s.tenant.id, clientId: s.client.id, invoiceId: s.invoice.id, kind: 'ai', params } });
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
});
