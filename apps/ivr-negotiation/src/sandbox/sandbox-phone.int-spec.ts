import type { IvrCallView } from '@recoup/contracts';
import { SandboxIvrPhone } from '@recoup/providers/telephony';
import { waitFor } from '@recoup/testing';
import { api, startIvr, TWILIO_TOKEN, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';
import { pickDebtorScript } from './debtor-scripts';

/** Queues a call through the API to a debtor whose number ends in `lastDigit` and waits until the sandbox phone has hung up. */
async function callAndWait(h: IvrHarness, lastDigit: number): Promise<{ call: IvrCallView; attemptStatus: string }> {
  const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
  const phone = `${(client.phone ?? '').slice(0, -1)}${lastDigit}`;
  await h.deps.db.client.update({ where: { id: client.id }, data: { phone } });
  const updates: IvrCallView[] = [];
  const unsubscribe = h.deps.events.subscribe(({ event }) => {
    if (event.call.caller_phone === phone) updates.push(event.call);
  });
  try {
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    expect(res.status).toBe(202);
    // The phone's last request is the `completed` status callback, which ends the contact attempt.
    const attempt = await waitFor(
      () =>
        h.deps.db.contactAttempt.findFirst({
          where: { invoiceId: invoice.id, channel: 'ivr_call', status: { in: ['completed', 'no_answer'] } },
        }),
      { timeoutMs: 20_000, what: 'the sandbox call to end' },
    );
    const call = await waitFor(() => updates.at(-1), { what: 'a call event' });
    return { call: (await api(h, `/api/calls/${call.id}`)).body as IvrCallView, attemptStatus: attempt.status };
  } finally {
    unsubscribe();
  }
}

const said = (call: IvrCallView) => call.transcript.filter((t) => t.speaker === 'customer').map((t) => t.text);

describe('the sandbox phone answers IVR calls on its own', () => {
  describe('as buildDeps wires it (no Twilio credentials, no test driver)', () => {
    let h: IvrHarness;
    beforeAll(async () => {
      h = await startIvr({}, { sandboxDriver: undefined });
    });
    afterAll(() => h?.close());

    it('a call queued through the API is answered, accepted and completed', async () => {
      expect(h.deps.sandboxPhone).toBeInstanceOf(SandboxIvrPhone);
      const { call, attemptStatus } = await callAndWait(h, 0);
      expect(call).toMatchObject({ status: 'confirmed', intent: 'willing_to_pay' });
      // The identity question comes first (the sandbox debtor knows their postcode); its answer is never stored.
      expect(said(call)).toEqual(['[identity answer withheld]', 'Yes, I accept']);
      expect(attemptStatus).toBe('completed');
    });

    it('a debtor calls in (sandbox route): identity first, then the offer, accepted, on one inbound record', async () => {
      const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock() });
      const res = await api(h, '/api/sandbox/inbound-calls', { method: 'POST', body: JSON.stringify({ client_id: client.id }) });
      expect(res.status).toBe(202);
      const row = await waitFor(() => h.deps.db.ivrCall.findFirst({ where: { callSid: res.body.call_sid, status: 'confirmed' } }), {
        timeoutMs: 20_000,
        what: 'the inbound call to be confirmed',
      });
      expect(row).toMatchObject({ campaignId: 'inbound', invoiceId: invoice.id, clientId: client.id });
      expect(await h.deps.db.ivrCall.count({ where: { callSid: res.body.call_sid } })).toBe(1);
      const other = await api(h, '/api/sandbox/inbound-calls', {
        method: 'POST',
        body: JSON.stringify({ client_id: '0f0e0d0c-0b0a-4900-8800-070605040302' }),
      });
      expect(other.status).toBe(404);
    });
  });

  describe('each debtor script against the real conversation', () => {
    let h: IvrHarness;
    beforeAll(async () => {
      // The same phone, without the pauses that make a live demo watchable.
      const phone = new SandboxIvrPhone({
        authToken: TWILIO_TOKEN,
        pickScript: pickDebtorScript,
        identityFor: async () => 'SW1A 1AA',
        ringMs: 0,
        turnMs: 0,
      });
      h = await startIvr({}, { sandboxDriver: phone });
    });
    afterAll(() => h?.close());

    it('decline, then negotiate: a plan at fifty pounds a month is agreed', async () => {
      const { call } = await callAndWait(h, 1);
      expect(said(call)).toEqual(['[identity answer withheld]', "No, I can't afford that", 'I can pay fifty pounds a month', 'Yes']);
      expect(call).toMatchObject({ status: 'confirmed', intent: 'willing_to_pay' });
      expect(call.payment_plan?.monthly_amount).toBe(50);
    });

    it('"Can you repeat the plan?" then "Yes": one record holding both answers', async () => {
      const { call } = await callAndWait(h, 2);
      expect(said(call)).toEqual(['[identity answer withheld]', 'Can you repeat the plan?', 'Yes']);
      expect(call.status).toBe('confirmed');
    });

    it('silence: the IVR gives up and records no response', async () => {
      const { call, attemptStatus } = await callAndWait(h, 3);
      expect(call).toMatchObject({ status: 'no_response', intent: 'no_response' });
      expect(
        said(call)
          .slice(1)
          .every((s) => s === ''),
      ).toBe(true);
      expect(attemptStatus).toBe('completed');
    });
  });
});
