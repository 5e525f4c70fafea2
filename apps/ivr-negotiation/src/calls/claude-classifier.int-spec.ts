import { FakeAnthropicMessages } from '@recoup/testing';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

/** The service with Claude live (the official SDK on a loopback fake of the Messages API) and the local classifier behind it. */
describe('IVR turns classified by Claude, with the local classifier when Claude fails', () => {
  let h: IvrHarness;
  let claude: FakeAnthropicMessages;
  beforeAll(async () => {
    claude = await FakeAnthropicMessages.start();
    h = await startIvr({
      ANTHROPIC_MODE: 'live',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: claude.url,
      ANTHROPIC_MODEL: 'claude-test',
      IVR_CLASSIFIER_TIMEOUT_MS: '300',
    });
  });
  afterAll(async () => {
    await h?.close();
    await claude?.close();
  });

  async function answeredCall() {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const call = await h.twilio.nextCall(client.phone ?? '');
    await h.twilio.answerAsDebtor(call);
    return call;
  }
  const record = (sid: string) => h.deps.db.ivrCall.findUniqueOrThrow({ where: { callSid: sid } });
  const lastCustomerTurn = (row: { transcript: unknown }) =>
    (row.transcript as Array<{ speaker: string }>).filter((t) => t.speaker === 'customer').at(-1);

  it("records Claude's intent and confidence when it answers", async () => {
    claude.respondWith(() => ({
      toolInput: { intent: 'willing_to_pay', confidence: 96, wants_repeat: false, wants_specialist: false, monthly_amount_offered: null },
    }));
    const call = await answeredCall();
    await h.twilio.say(call, 'Go on then, put me down for it');
    expect(await record(call.callSid)).toMatchObject({
      intent: 'willing_to_pay',
      status: 'confirmed',
      confidence: 96,
      classifier: 'claude',
    });
    const sent = claude.requests.at(-1)!;
    expect(JSON.stringify(sent.body.messages)).toContain('Go on then, put me down for it');
    expect(JSON.stringify(sent.body.messages)).toContain('100.00 GBP per month for 6 months');
  });

  it('falls back to the local classifier when Claude times out, and says so on the record', async () => {
    claude.respondWith(() => ({ hang: true }));
    const call = await answeredCall();
    await h.twilio.say(call, "No, I can't afford that.");
    const row = await record(call.callSid);
    expect(row).toMatchObject({ intent: 'needs_negotiation', status: 'needs_negotiation', classifier: 'local' });
    expect(lastCustomerTurn(row)).toMatchObject({ classifier: 'local', note: 'claude timeout' });
  });

  it('falls back when Claude answers outside the tool schema', async () => {
    claude.respondWith(() => ({ toolInput: { intent: 'yes please', confidence: 'high' } }));
    const call = await answeredCall();
    await h.twilio.say(call, 'Can you repeat the plan?');
    const row = await record(call.callSid);
    expect(row).toMatchObject({ intent: 'unclear', status: 'pending_clarification', classifier: 'local' });
    expect(lastCustomerTurn(row)).toMatchObject({ note: 'claude malformed' });
  });
});
