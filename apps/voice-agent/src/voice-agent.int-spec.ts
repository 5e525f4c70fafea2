import request from 'supertest';
import WebSocket from 'ws';
import { quoteBalance } from '@recoup/collections';
import { InitiateCallRequest, InitiateCallResponse, CallStatusResponse } from '@recoup/contracts';
import { signTwilioRequest } from '@recoup/providers/twilio';
import { waitFor } from '@recoup/testing';
import { APOLOGY, RECONNECT_NOTE } from './bridge/call-bridge';
import {
  INTERNAL_TOKEN,
  TWILIO_TOKEN,
  WEDNESDAY_11AM,
  initiateBody,
  seedDebt,
  startVoiceHarness,
  type VoiceHarness,
} from '../test/voice-harness';

const auth = { Authorization: `Bearer ${INTERNAL_TOKEN}` };

describe('voice-agent', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());
  beforeEach(() => h.setNow(WEDNESDAY_11AM));

  const app = () => h.server;
  const placeCall = async (s: Awaited<ReturnType<typeof seedDebt>>, extra: Record<string, unknown> = {}) => {
    const res = await request(app()).post('/initiate-call').set(auth).send(initiateBody(s, extra));
    if (res.status !== 200) throw new Error(`initiate-call answered ${res.status}: ${JSON.stringify(res.body)}`);
    return InitiateCallResponse.parse(res.body);
  };
  const finished = async (callSid: string) => {
    const record = await h.twilio.waitForCall(callSid);
    const call = await waitFor(
      async () => {
        const c = await h.db.call.findUnique({ where: { providerCallSid: callSid } });
        return c?.outcome && c.endedAt && c.status === 'completed' ? c : undefined;
      },
      { what: 'the call to be finalised' },
    );
    return { record, call };
  };

  describe('HTTP contract', () => {
    it('estimates 3 minutes with SMS and recording at GBP 0.265, from configured prices', async () => {
      const res = await request(app())
        .post('/estimate-cost')
        .set(auth)
        .send({ estimated_duration_minutes: 3, include_sms: true, include_recording: true })
        .expect(200);
      expect(res.body).toEqual({ twilio_call_cost: 0.039, twilio_sms_cost: 0.04, recording_cost: 0.006, openai_cost: 0.18, total: 0.265 });
    });

    it('round-trips the product JSON examples through the contracts', () => {
      const example = {
        recipient_phone: '+447700900123',
        recipient_name: 'John Smith',
        invoice_reference: 'INV-2024-001',
        amount: 1500.0,
        due_date: '2024-01-15',
        days_past_due: 14,
        business_name: 'Acme Design Studio',
        invoice_id: '0b8a3f1e-2c4d-4e5f-8a9b-1c2d3e4f5a6b',
        freelancer_id: '1c9b4e2f-3d5e-4f6a-9b0c-2d3e4f5a6b7c',
        enable_payment_during_call: true,
      };
      expect(InitiateCallRequest.parse(JSON.parse(JSON.stringify(example)))).toEqual(example);
      const response = {
        success: true,
        call_sid: 'CA' + 'a'.repeat(32),
        estimated_cost: { twilio_call_cost: 0.026, twilio_sms_cost: 0.04, recording_cost: 0.004, openai_cost: 0.12, total: 0.19 },
      };
      expect(InitiateCallResponse.parse(JSON.parse(JSON.stringify(response)))).toEqual(response);
      const status = {
        call_sid: response.call_sid,
        status: 'completed',
        duration: 95,
        transcript: '[AI]: Hello\n[USER]: Hi',
        outcome: 'payment_promised',
        payment_collected: false,
        cost: 0.18,
      };
      expect(CallStatusResponse.parse(JSON.parse(JSON.stringify(status)))).toEqual(status);
    });

    it('requires the internal bearer token', async () => {
      await request(app()).post('/estimate-cost').send({ estimated_duration_minutes: 3 }).expect(401);
      await request(app())
        .post('/estimate-cost')
        .set('Authorization', 'Bearer wrong-token-wrong-token-wrong')
        .send({ estimated_duration_minutes: 3 })
        .expect(401);
    });

    it('names the bad field with 400 problem+json', async () => {
      const s = await seedDebt(h.db);
      const res = await request(app())
        .post('/initiate-call')
        .set(auth)
        .send(initiateBody(s, { recipient_phone: '07700 900123' }))
        .expect(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors[0].field).toBe('body.recipient_phone');
    });

    it('a retried POST /initiate-call with the same Idempotency-Key places one call', async () => {
      const s = await seedDebt(h.db);
      h.script.next = { answer: 'no-answer', turns: [] };
      const first = await request(app())
        .post('/initiate-call')
        .set(auth)
        .set('Idempotency-Key', `k-${s.invoice.id}`)
        .send(initiateBody(s))
        .expect(200);
      const again = await request(app())
        .post('/initiate-call')
        .set(auth)
        .set('Idempotency-Key', `k-${s.invoice.id}`)
        .send(initiateBody(s))
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.call_sid).toBe(first.body.call_sid);
      expect(await h.db.call.count({ where: { invoiceId: s.invoice.id } })).toBe(1);
    });

    it('answers 404 for an unknown call sid', async () => {
      await request(app())
        .get(`/call-status/CA${'0'.repeat(32)}`)
        .set(auth)
        .expect(404);
    });
  });

  describe('refusals carry the compliance reason code and the next allowed time', () => {
    const refusal = async (s: Awaited<ReturnType<typeof seedDebt>>, extra: Record<string, unknown> = {}) => {
      const res = await request(app()).post('/initiate-call').set(auth).send(initiateBody(s, extra));
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      return res;
    };

    it('outside calling hours: 422 OUTSIDE_CONTACT_HOURS with the next allowed time', async () => {
      const night = Date.parse('2026-11-18T22:30:00Z');
      h.setNow(night);
      const res = await refusal(await seedDebt(h.db, { now: night }));
      expect(res.status).toBe(422);
      expect(res.body.reason_code).toBe('OUTSIDE_CONTACT_HOURS');
      expect(Date.parse(res.body.next_allowed_at)).toBeGreaterThan(night);
    });

    it('cooldown: a second call within 24 hours is refused with AUTOMATED_CALL_TOO_SOON', async () => {
      const s = await seedDebt(h.db);
      await h.db.contactAttempt.create({
        data: {
          tenantId: s.tenant.id,
          clientId: s.client.id,
          invoiceId: s.invoice.id,
          channel: 'ai_call',
          purpose: 'reminder',
          status: 'completed',
          createdAt: new Date(WEDNESDAY_11AM - 3 * 3_600_000),
        },
      });
      const res = await refusal(s);
      expect(res.status).toBe(422);
      expect(res.body.reason_code).toBe('AUTOMATED_CALL_TOO_SOON');
      expect(Date.parse(res.body.next_allowed_at)).toBeGreaterThanOrEqual(WEDNESDAY_11AM + 21 * 3_600_000);
    });

    it('under GBP 50: BALANCE_BELOW_CALL_MINIMUM', async () => {
      const res = await refusal(await seedDebt(h.db, { amountPence: 49_99 }));
      expect(res.status).toBe(422);
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('BALANCE_BELOW_CALL_MINIMUM');
    });

    it('under 7 days overdue: NOT_OVERDUE_LONG_ENOUGH with the day calls may start', async () => {
      const res = await refusal(await seedDebt(h.db, { daysOverdue: 3 }));
      expect(res.status).toBe(422);
      expect(res.body.reason_code).toBe('NOT_OVERDUE_LONG_ENOUGH');
      expect(Date.parse(res.body.next_allowed_at)).toBeGreaterThan(WEDNESDAY_11AM + 3 * 86_400_000);
    });

    it('not a UK number: INVALID_PHONE_NUMBER, and no time helps', async () => {
      const s = await seedDebt(h.db);
      const res = await refusal(s, { recipient_phone: '+14155550100' });
      expect(res.status).toBe(422);
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('INVALID_PHONE_NUMBER');
    });

    it('tier limit: a starter account has no AI calls (429 TIER_LIMIT_REACHED)', async () => {
      const res = await refusal(await seedDebt(h.db, { tier: 'starter' }));
      expect(res.status).toBe(429);
      expect(res.body.reason_code).toBe('TIER_LIMIT_REACHED');
      expect(res.body.next_allowed_at).toEqual(expect.any(String));
    });
  });

  describe('a call over the real bridge', () => {
    it('the debtor asks for the link and promises to pay: link SMS and confirmation SMS are queued, outcome from the tools', async () => {
      const s = await seedDebt(h.db);
      h.script.next = {
        answer: 'human',
        turns: [
          { say: 'Hello, speaking.' },
          // Identity before disclosure: the money tools are refused by our code until this answer matched.
          { say: 'Yes, my postcode is SW1A 1AA.' },
          { say: 'Can you text me the link?' },
          { say: "Yes. I'll pay on Friday." },
          { say: 'No, that is all. Goodbye.' },
        ],
        hangUpWhenDone: true,
      };
      const placed = await placeCall(s);
      const { call, record } = await finished(placed.call_sid);
      expect(record.errors).toEqual([]);
      expect(call.outcome).toBe('payment_promised');
      const link = await h.db.paymentLink.findFirstOrThrow({ where: { invoiceId: s.invoice.id } });
      const promise = await h.db.paymentPromise.findFirstOrThrow({ where: { invoiceId: s.invoice.id } });
      expect(promise).toMatchObject({ amountPence: 250_00, source: 'call', sourceId: call.id });
      const sms = await h.db.contactAttempt.findMany({ where: { clientId: s.client.id, channel: 'sms' }, orderBy: { createdAt: 'asc' } });
      expect(sms.map((a) => a.purpose)).toEqual(['payment_link', 'promise_to_pay_confirmation']);
      const job = await h.deps.producer.queue('notifications').getJob(sms[0]!.jobId!);
      expect(job?.data.variables.payment_link_url).toBe(link.url);
      const confirmation = await h.deps.producer.queue('notifications').getJob(sms[1]!.jobId!);
      expect(confirmation?.data.variables).toMatchObject({ promise_amount: '250.00' });
      const actions = await h.db.callAction.findMany({ where: { callId: call.id } });
      expect(actions.map((a) => a.name).sort()).toEqual(['end_call', 'record_promise_to_pay', 'send_payment_link', 'verify_identity']);
      const status = await request(app()).get(`/call-status/${placed.call_sid}`).set(auth).expect(200);
      expect(status.body).toMatchObject({
        call_sid: placed.call_sid,
        status: 'completed',
        outcome: 'payment_promised',
        payment_collected: false,
      });
      // The recording notice is the first turn; then the named person and the identity question.
      expect(status.body.transcript).toMatch(
        /^\[AI\]: Hello, this is an automated assistant .*This call is recorded.*\n\[AI\]: May I speak to/,
      );
      expect(status.body.transcript).toContain("[USER]: Yes. I'll pay on Friday.");
      expect(status.body.duration).toEqual(expect.any(Number));
      // The debtor pays through the texted link (the payment webhook marks the link paid): paid during the call.
      await h.db.paymentLink.update({ where: { id: link.id }, data: { status: 'paid', paidAt: new Date(call.endedAt!.getTime() - 1000) } });
      await h.deps.calls.finalise(call.id);
      const paid = await request(app()).get(`/call-status/${placed.call_sid}`).set(auth).expect(200);
      expect(paid.body).toMatchObject({ outcome: 'paid_during_call', payment_collected: true });
    });

    it('barge-in: clears Twilio, cancels the response and truncates at the position the marks say was played', async () => {
      const s = await seedDebt(h.db);
      h.script.next = {
        answer: 'human',
        turns: [{ say: 'Hello, speaking.' }, { say: 'Sorry, who is this?', interruptAfterMs: 300 }],
        hangUpWhenDone: true,
      };
      const sessionsBefore = h.openai.sessions.length;
      const placed = await placeCall(s);
      const { record } = await finished(placed.call_sid);
      const session = h.openai.sessions[sessionsBefore]!;
      expect(record.clears).toHaveLength(1);
      expect(session.truncations).toHaveLength(1);
      const cut = session.truncations[0]!;
      const markedBytes = record.clears[0]!.playedMarksBefore.filter((m) => m.startsWith(`${cut.item_id}:`)).map((m) =>
        Number(m.split(':').pop()),
      );
      const heardBytes = Math.max(...markedBytes);
      // Cut exactly at a position Twilio acknowledged as played (the latest the bridge had seen; one
      // more echo may still have been in flight), never at a position only sent.
      expect(markedBytes.map((b) => b / 8)).toContain(cut.audio_end_ms);
      expect(cut.audio_end_ms).toBeLessThanOrEqual(heardBytes / 8);
      expect(cut.audio_end_ms).toBeGreaterThan(0);
      // Less than what was sent: the rest was never heard.
      const sentBytes = Math.max(
        ...record.playedMarks
          .concat(record.clears[0]!.playedMarksBefore)
          .filter((m) => m.startsWith(`${cut.item_id}:`))
          .map((m) => Number(m.split(':').pop())),
      );
      expect(cut.audio_end_ms).toBeLessThanOrEqual(sentBytes / 8);
      const agentText = 'Thank you. Would you be able to pay the balance, or would a payment plan help?';
      expect(cut.audio_end_ms).toBeLessThan((agentText.length / 2) * 20);
      // At most one cancel, sent only while the bridge believes a response is being generated. Usually the fake has
      // finished long before playback reaches 300 ms (nothing to cancel, only to cut). On a loaded machine the
      // generation may still run (one cancel is right), or its response.done may still be in flight when the caller
      // speaks: then the server answers response_cancel_not_active, which is harmless (OpenAI behaves the same).
      const cancels = session.events.filter((e) => e.type === 'response.cancel').length;
      expect(cancels).toBeLessThanOrEqual(1);
      expect(session.errors.filter((e) => e.code !== 'response_cancel_not_active')).toHaveLength(0);
      // The stored turn of the cut item is what the caller heard: the words of the frames Twilio confirmed played
      // (the fake speaks 2 characters per 20 ms frame, 160 bytes), marked interrupted.
      const turn = await waitFor(
        () => h.db.callTurn.findFirst({ where: { call: { providerCallSid: placed.call_sid }, itemId: cut.item_id } }),
        { timeoutMs: 15_000, what: "the cut item's stored turn" },
      );
      const spoken = session.transcripts.find((t) => t.speaker === 'ai' && t.text === agentText)?.text ?? agentText;
      expect(turn.text).toBe(`${spoken.slice(0, ((cut.audio_end_ms * 8) / 160) * 2).trim()} [interrupted]`);
    });

    it('the OpenAI leg dropping: reopened once with the conversation so far; dropping again, Twilio says an apology and the call ends', async () => {
      const s = await seedDebt(h.db);
      h.script.next = {
        answer: 'human',
        turns: [{ say: 'Hello, speaking.' }, { say: 'Let me think about it for a while.' }],
        hangUpWhenDone: false,
      };
      const sessionsBefore = h.openai.sessions.length;
      const placed = await placeCall(s);
      const session = await waitFor(() => h.openai.sessions[sessionsBefore], { what: 'a realtime session' });
      await waitFor(() => session.transcripts.some((t) => t.speaker === 'user'), { what: 'the debtor to speak' });
      session.drop();
      const second = await waitFor(() => h.openai.sessions[sessionsBefore + 1], { what: 'the reopened realtime session' });
      // The new session is given the call so far (what the caller said, what they heard) and asked to carry on.
      await waitFor(() => second.events.some((e) => e.type === 'response.create'), { what: 'the reopened session to be asked to go on' });
      expect(second.messages).toContainEqual({ role: 'user', text: 'Hello, speaking.' });
      expect(second.messages.at(-1)).toEqual({ role: 'system', text: RECONNECT_NOTE });
      second.drop();
      const { record, call } = await finished(placed.call_sid);
      expect(record.transcript.at(-1)).toEqual({ speaker: 'ai', text: APOLOGY });
      expect(call.endedAt).not.toBeNull();
      expect(call.outcome).toBe('refused');
    });

    it('calls are isolated: one call losing its OpenAI leg does not touch a concurrent call', async () => {
      const [a, b] = [await seedDebt(h.db), await seedDebt(h.db)];
      h.script.next = {
        answer: 'human',
        turns: [
          { say: 'Hello, speaking.' },
          { say: 'Yes, my postcode is SW1A 1AA.' },
          { say: "Yes. I'll pay on Friday." },
          { say: 'No, that is all. Goodbye.' },
        ],
        hangUpWhenDone: true,
      };
      const sessionsBefore = h.openai.sessions.length;
      const [first, second] = await Promise.all([placeCall(a), placeCall(b)]);
      await waitFor(() => h.openai.sessions.length >= sessionsBefore + 2, { what: 'two realtime sessions' });
      const firstCall = await h.db.call.findUniqueOrThrow({ where: { providerCallSid: first.call_sid } });
      // The first call's session once the callee is on the line (a leg lost while ringing is reopened).
      const victim = await waitFor(
        () =>
          h.openai.sessions
            .slice(sessionsBefore)
            .find(
              (s) =>
                String(s.session?.instructions ?? '').includes(`on behalf of ${a.tenant.name}.`) &&
                s.transcripts.some((t) => t.speaker === 'user'),
            ),
        { what: "the first call's session with the callee on the line" },
      );
      // Dropped twice: the first reconnect is used up, the second drop ends that call (with an apology).
      victim.drop();
      const reopened = await waitFor(
        () =>
          h.openai.sessions
            .slice(sessionsBefore)
            .find(
              (s) =>
                s !== victim &&
                String(s.session?.instructions ?? '').includes(`on behalf of ${a.tenant.name}.`) &&
                s.messages.some((m) => m.text === RECONNECT_NOTE),
            ),
        { what: "the first call's reopened session" },
      );
      reopened.drop();
      const [one, two] = await Promise.all([finished(first.call_sid), finished(second.call_sid)]);
      expect(one.call.id).toBe(firstCall.id);
      expect(one.record.transcript.at(-1)).toEqual({ speaker: 'ai', text: APOLOGY });
      // The other call went on to its end, untouched: every line of its debtor said, no apology, no error.
      expect(two.record.transcript.filter((t) => t.speaker === 'user').map((t) => t.text)).toEqual([
        'Hello, speaking.',
        'Yes, my postcode is SW1A 1AA.',
        "Yes. I'll pay on Friday.",
        'No, that is all. Goodbye.',
      ]);
      expect(two.record.transcript.some((t) => t.text === APOLOGY)).toBe(false);
      expect(two.record.errors).toEqual([]);
    });

    it('a Realtime leg that fails while the phone rings is opened afresh when the callee answers', async () => {
      const s = await seedDebt(h.db);
      h.script.next = {
        answer: 'human',
        turns: [
          { say: 'Hello, speaking.' },
          { say: 'Yes, my postcode is SW1A 1AA.' },
          { say: "Yes. I'll pay on Friday." },
          { say: 'Goodbye.' },
        ],
        hangUpWhenDone: true,
      };
      h.openai.dropNextConnections = 1;
      const placed = await placeCall(s);
      const { call } = await finished(placed.call_sid);
      expect(h.openai.dropNextConnections).toBe(0);
      expect(call.outcome).toBe('payment_promised');
    });

    it('a dispute stated on the call opens a Dispute with a random reference told to the debtor, cancels queued contacts and ends the call', async () => {
      const s = await seedDebt(h.db);
      const jobId = `pending-${s.invoice.id}`;
      const pending = await h.db.contactAttempt.create({
        data: {
          tenantId: s.tenant.id,
          clientId: s.client.id,
          invoiceId: s.invoice.id,
          channel: 'email',
          purpose: 'reminder',
          status: 'queued',
          jobId,
        },
      });
      await h.deps.producer.enqueue(
        'email.send',
        {
          tenant_id: s.tenant.id,
          client_id: s.client.id,
          invoice_id: s.invoice.id,
          channel: 'email',
          template_id: 'reminder.email',
          purpose: 'reminder',
          requested_by: 'test',
        },
        { jobId, delayMs: 3_600_000 },
      );
      expect(await h.deps.producer.queue('notifications').getJob(jobId)).toBeDefined();
      h.script.next = {
        answer: 'human',
        turns: [{ say: 'Hello, speaking.' }, { say: 'I dispute this, I never ordered it.' }],
        hangUpWhenDone: false,
      };
      const placed = await placeCall(s);
      const { call } = await finished(placed.call_sid);
      expect(call.outcome).toBe('disputed');
      const dispute = await h.db.dispute.findFirstOrThrow({ where: { invoiceId: s.invoice.id } });
      expect(dispute).toMatchObject({ source: 'call', reason: 'I dispute this, I never ordered it.', resolvedAt: null });
      // Random (Crockford base32, 80 bits), never derived from the invoice id.
      expect(dispute.reference).toMatch(/^DSP(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
      expect(dispute.reference.replace(/-/g, '')).not.toContain(s.invoice.id.replace(/-/g, '').slice(0, 8).toUpperCase());
      const action = await h.db.callAction.findFirstOrThrow({ where: { callId: call.id, name: 'record_dispute' } });
      expect((action.result as { message: string }).message).toContain(dispute.reference);
      expect((await h.db.client.findUniqueOrThrow({ where: { id: s.client.id } })).disputeOpenedAt).not.toBeNull();
      expect(await h.db.invoice.findUniqueOrThrow({ where: { id: s.invoice.id } })).toMatchObject({
        status: 'disputed',
        nextActionAt: null,
      });
      expect(await h.db.contactAttempt.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({
        status: 'cancelled',
        completedAt: expect.any(Date),
      });
      expect(await h.deps.producer.queue('notifications').getJob(jobId)).toBeUndefined();
      expect(await h.db.invoiceEvent.findMany({ where: { invoiceId: s.invoice.id, type: 'dispute_opened' } })).toEqual([
        expect.objectContaining({ actor: 'voice_agent', fromStatus: 'overdue', toStatus: 'disputed' }),
      ]);
    });

    it('the balance the agent speaks is the core quote (with the late-payment charges the creditor claims) and the texted link asks for exactly it', async () => {
      const s = await seedDebt(h.db);
      await h.db.tenant.update({ where: { id: s.tenant.id }, data: { claimsLatePaymentCharges: true } });
      const quote = quoteBalance({ invoice: s.invoice, clientKind: 'business', claimsLatePaymentCharges: true }, new Date(WEDNESDAY_11AM));
      expect(quote.interestPence).toBeGreaterThan(0);
      expect(quote.totalPence).toBe(250_00 + quote.interestPence + quote.compensationPence);
      h.script.next = {
        answer: 'human',
        turns: [
          { say: 'Hello, speaking.' },
          { say: 'Yes, my postcode is SW1A 1AA.' },
          { say: 'Can you text me the link?' },
          { say: 'No, that is all. Goodbye.' },
        ],
        hangUpWhenDone: true,
      };
      const sessionsBefore = h.openai.sessions.length;
      const placed = await placeCall(s);
      await finished(placed.call_sid);
      // The amount reaches the agent only in verify_identity's answer: never in the session's instructions.
      const session = h.openai.sessions
        .slice(sessionsBefore)
        .find((x) => String(x.session?.instructions ?? '').includes(`on behalf of ${s.tenant.name}.`));
      expect(String(session?.session?.instructions ?? '')).not.toContain((quote.totalPence / 100).toFixed(2));
      const row = await h.db.call.findFirstOrThrow({ where: { providerCallSid: placed.call_sid } });
      const briefing = String((row.params as { after_identity?: string }).after_identity);
      expect(briefing).toContain(`GBP ${(quote.totalPence / 100).toFixed(2)} is outstanding`);
      expect(briefing).toMatch(/statutory interest .* fixed compensation/);
      const link = await h.db.paymentLink.findFirstOrThrow({ where: { invoiceId: s.invoice.id } });
      expect(link).toMatchObject({ amountPence: quote.totalPence, currency: 'GBP' });
    });

    it('an answering machine hears only the name-and-number message, never the debt', async () => {
      const s = await seedDebt(h.db);
      h.script.next = { answer: 'machine', turns: [] };
      const placed = await placeCall(s);
      const record = await h.twilio.waitForCall(placed.call_sid);
      const call = await waitFor(async () => {
        const c = await h.db.call.findUnique({ where: { providerCallSid: placed.call_sid } });
        return c?.outcome && c.status === 'completed' ? c : undefined;
      });
      expect(call.outcome).toBe('voicemail');
      const heard = record.transcript.map((l) => l.text).join(' ');
      expect(heard).toContain(`This is a message for Sam Taylor from ${s.tenant.name}.`);
      expect(heard).not.toMatch(/outstanding|invoice|250/i);
    });

    it('no answer: outcome no_answer, attempt no_answer, nothing spent', async () => {
      const s = await seedDebt(h.db);
      h.script.next = { answer: 'no-answer', turns: [] };
      const placed = await placeCall(s);
      await h.twilio.waitForCall(placed.call_sid);
      const call = await waitFor(async () => {
        const c = await h.db.call.findUnique({ where: { providerCallSid: placed.call_sid } });
        return c?.outcome ? c : undefined;
      });
      expect(call).toMatchObject({ outcome: 'no_answer', costPence: 0 });
    });
  });

  describe('Twilio authentication', () => {
    it.each([
      '/api/webhooks/twilio/voice/status',
      '/api/webhooks/twilio/voice/answer',
      '/api/webhooks/twilio/voice/amd',
      '/api/webhooks/twilio/ai-collect',
      '/api/webhooks/twilio/ai-respond',
    ])('answers 403 to a forged signature on %s', async (path) => {
      const params = { CallSid: 'CA' + '1'.repeat(32), CallStatus: 'completed' };
      await request(app())
        .post(path)
        .type('form')
        .set('X-Twilio-Signature', signTwilioRequest('not-the-token-0123456789', `${h.baseUrl}${path}`, params))
        .send(params)
        .expect(403);
      await request(app()).post(path).type('form').send(params).expect(403);
    });

    it('accepts a Gather webhook forwarded by collections-api, signed for its public URL (X-Original-Url), and nothing else', async () => {
      const path = '/api/webhooks/twilio/ai-collect';
      const params = { CallSid: 'CA' + '2'.repeat(32), CallStatus: 'in-progress' };
      const gatewayUrl = `http://127.0.0.1:8000${path}`;
      const signature = signTwilioRequest(TWILIO_TOKEN, gatewayUrl, params);
      const ok = await request(app())
        .post(path)
        .type('form')
        .set('X-Twilio-Signature', signature)
        .set('X-Original-Url', gatewayUrl)
        .send(params)
        .expect(200);
      expect(ok.text).toContain('<Hangup/>'); // unknown call: a polite goodbye
      const elsewhere = 'https://evil.example/api/webhooks/twilio/ai-collect';
      await request(app())
        .post(path)
        .type('form')
        .set('X-Twilio-Signature', signTwilioRequest(TWILIO_TOKEN, elsewhere, params))
        .set('X-Original-Url', elsewhere)
        .send(params)
        .expect(403);
    });

    it('refuses a media stream handshake with a forged X-Twilio-Signature', async () => {
      const ws = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/media-stream`, { headers: { 'X-Twilio-Signature': 'Zm9yZ2Vk' } });
      const status = await new Promise<number | undefined>((r) => {
        ws.once('unexpected-response', (_req, res) => r(res.statusCode));
        ws.once('error', () => r(undefined));
      });
      expect(status).toBe(403);
    });

    it('closes a media stream whose start message carries a wrong token', async () => {
      const s = await seedDebt(h.db);
      const call = await h.db.call.create({
        data: { tenantId: s.tenant.id, clientId: s.client.id, invoiceId: s.invoice.id, kind: 'ai', streamTokenHash: 'a'.repeat(64) },
      });
      const url = `${h.baseUrl.replace('http', 'ws')}/media-stream`;
      const ws = new WebSocket(url, { headers: { 'X-Twilio-Signature': signTwilioRequest(TWILIO_TOKEN, url) } });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ event: 'connected' }));
      ws.send(
        JSON.stringify({
          event: 'start',
          streamSid: 'MZ1',
          start: { streamSid: 'MZ1', callSid: 'CA1', customParameters: { call_id: call.id, token: 'forged' } },
        }),
      );
      const code = await new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
      expect(code).toBe(1008);
    });
  });

  describe('Gather flow', () => {
    const post = (path: string, params: Record<string, string>) =>
      request(app())
        .post(path)
        .type('form')
        .set('X-Twilio-Signature', signTwilioRequest(TWILIO_TOKEN, `${h.baseUrl}${path}`, params))
        .send(params);

    it('greets in Polly.Amy-Neural, runs the same tools from speech, and a redelivery is answered once', async () => {
      const s = await seedDebt(h.db);
      const call = await h.db.call.create({
        data: {
          tenantId: s.tenant.id,
          clientId: s.client.id,
          invoiceId: s.invoice.id,
          kind: 'ai',
          providerCallSid: 'CA' + 'e'.repeat(32),
          params: { recording_notice: 'This call is recorded.', opening: 'May I speak to Sam?' },
        },
      });
      const greet = await post(`/api/webhooks/twilio/ai-collect?call=${call.id}`, {
        CallSid: call.providerCallSid!,
        CallStatus: 'in-progress',
      }).expect(200);
      expect(greet.text).toContain(
        '<Say voice="Polly.Amy-Neural" language="en-GB">This call is recorded.</Say><Say voice="Polly.Amy-Neural" language="en-GB">May I speak to Sam?</Say>',
      );
      expect(greet.text).toContain('<Gather input="dtmf speech"');
      const params = { CallSid: call.providerCallSid!, SpeechResult: 'Please stop calling me.' };
      const first = await post(`/api/webhooks/twilio/ai-respond?call=${call.id}`, params).expect(200);
      const again = await post(`/api/webhooks/twilio/ai-respond?call=${call.id}`, params).expect(200);
      expect(again.text).toBe(first.text);
      expect(first.text).toContain('<Hangup/>');
      expect((await h.db.client.findUniqueOrThrow({ where: { id: s.client.id } })).stoppedChannels).toEqual(
        expect.arrayContaining(['ai_call', 'ivr_call']),
      );
      expect(await h.db.callTurn.count({ where: { callId: call.id, speaker: 'user' } })).toBe(1);
      expect(h.openai.chatRequests.length).toBeGreaterThan(0);
    });
  });

  describe('ai-calls worker', () => {
    it('places the queued PlaceAiCallJob through the same path', async () => {
      const s = await seedDebt(h.db);
      h.script.next = { answer: 'no-answer', turns: [] };
      const jobId = `ai-call-${s.invoice.id}`;
      await h.db.contactAttempt.create({
        data: {
          tenantId: s.tenant.id,
          clientId: s.client.id,
          invoiceId: s.invoice.id,
          channel: 'ai_call',
          purpose: 'reminder',
          status: 'queued',
          jobId,
        },
      });
      void h.deps.worker.run();
      await h.deps.producer.enqueue(
        'ai-call.place',
        { tenant_id: s.tenant.id, client_id: s.client.id, invoice_id: s.invoice.id, requested_by: 'collections-api' },
        { jobId },
      );
      const call = await waitFor(() => h.db.call.findFirst({ where: { invoiceId: s.invoice.id, providerCallSid: { not: null } } }), {
        what: 'the worker to place the call',
      });
      const attempt = await h.db.contactAttempt.findUniqueOrThrow({ where: { jobId } });
      expect(call.contactAttemptId).toBe(attempt.id);
    });
  });
});
