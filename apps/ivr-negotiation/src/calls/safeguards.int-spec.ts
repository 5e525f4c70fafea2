import { waitFor } from '@recoup/testing';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

/** The voice-trust order of an outbound IVR call (issue 15): notice, named person, identity, then the offer. */
describe('IVR safeguards', () => {
  let h: IvrHarness;
  beforeAll(async () => (h = await startIvr()));
  afterAll(() => h?.close());

  async function placeCall(opts: { name?: string; postcode?: string | null } = {}) {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), ...opts });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const call = await h.twilio.nextCall(client.phone ?? '');
    const row = () => waitFor(() => h.deps.db.ivrCall.findUnique({ where: { callSid: call.callSid } }), { what: 'the IvrCall' });
    return { call, client, invoice, row };
  }

  it('asks for the named person and the identity question, with AMD dialled and no balance before our check accepts the answer', async () => {
    const { call, row } = await placeCall({ name: 'Ann Lee' });
    expect(call.machineDetection?.callbackUrl).toMatch(/\/amd\?ivr_call_id=/);
    const greeting = await h.twilio.answer(call);
    expect(greeting).toContain('This call is recorded');
    expect(greeting).toContain('May I speak to Ann Lee?');
    expect(greeting).toContain('input="dtmf speech"');
    expect(greeting).not.toMatch(/£|balance/);
    const retry = await h.twilio.say(call, 'Speaking.');
    expect(retry).toContain('does not match our records');
    expect(retry).not.toContain('£');
    const end = await h.twilio.say(call, 'M1 1AA');
    expect(end).toContain('ask Ann Lee to call');
    expect(end).toContain('<Hangup/>');
    expect(end).not.toContain('£');
    const r = await row();
    expect(r).toMatchObject({ identityVerifiedAt: null, status: 'completed' });
    expect(JSON.stringify(r.transcript)).not.toContain('M1 1AA');
  });

  it('the recording starts after the notice, and stops when the debtor objects', async () => {
    const { call, row } = await placeCall();
    await h.twilio.answer(call);
    await h.twilio.say(call, 'Yes, it is SW1A 1AA.');
    const started = await row();
    expect(started.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    await h.twilio.say(call, 'Please do not record this call.');
    const controls = await h.deps.db.sandboxMessage.findMany({
      where: { metadata: { path: ['recordingSid'], equals: started.recordingSid ?? '' } },
      orderBy: { createdAt: 'asc' },
    });
    expect(controls.map((m) => (m.metadata as { status: string }).status)).toEqual(['in-progress', 'stopped']);
  });

  it('vulnerability: collection paused through the core, the debtor flagged and signposted, intent vulnerable', async () => {
    const { call, client, invoice, row } = await placeCall();
    await h.twilio.answerAsDebtor(call);
    const close = await h.twilio.say(call, 'I lost my job last month and I am struggling.');
    expect(close).toMatch(/MoneyHelper.*StepChange.*National Debtline/);
    expect(close).toContain('<Hangup/>');
    expect(await row()).toMatchObject({ intent: 'vulnerable', status: 'completed', sensitive: true });
    expect((await h.deps.db.client.findUniqueOrThrow({ where: { id: client.id } })).vulnerable).toBe(true);
    expect(await h.deps.db.invoiceEvent.count({ where: { invoiceId: invoice.id, type: 'vulnerability_recorded' } })).toBe(1);
  });

  it('an answering machine (after its beep) gets a message with no debt detail', async () => {
    const { call, row } = await placeCall({ name: 'Bo Ray' });
    await h.twilio.answer(call);
    const res = await h.twilio.post(call.machineDetection?.callbackUrl ?? '', {
      CallSid: call.callSid,
      AccountSid: 'AC' + '0'.repeat(32),
      AnsweredBy: 'machine_end_beep',
    });
    expect(res.status).toBe(204);
    const r = await row();
    expect(r).toMatchObject({ answeredBy: 'machine_end_beep', status: 'no_response' });
    const said = (r.transcript as Array<{ text: string }>).at(-1)?.text ?? '';
    expect(said).toMatch(/This is a message for Bo Ray from .*call us back/);
    expect(said).not.toMatch(/£|balance|INV-/);
  });
});
