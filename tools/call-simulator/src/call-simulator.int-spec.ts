import { DEBTOR_SCRIPTS } from './debtor-scripts';
import { simulateCall } from './simulator';

describe('call simulator: a voice-agent process over the real Twilio and OpenAI adapters', () => {
  it('the debtor asks for a link and promises to pay: outcome payment_promised, the payment link SMS carries its URL', async () => {
    const result = await simulateCall({ script: DEBTOR_SCRIPTS.promise!, frameMs: 10 });
    expect(result.status.outcome).toBe('payment_promised');
    expect(result.status.transcript).toContain("[USER]: Yes. I'll pay on Friday.");
    expect(result.toolCalls.map((c) => c.name)).toEqual(expect.arrayContaining(['send_payment_link', 'record_promise_to_pay']));
    const link = result.sms.find((s) => s.purpose === 'payment_link');
    expect(link?.variables.payment_link_url).toMatch(/^http/);
    expect(result.sms.find((s) => s.purpose === 'promise_to_pay_confirmation')?.variables.promise_amount).toBe('1500.00');
  }, 90_000);

  it('a dispute said as the last words before hanging up is recorded: outcome disputed, record_dispute allowed', async () => {
    const result = await simulateCall({ script: DEBTOR_SCRIPTS.dispute!, frameMs: 10 });
    expect(result.status.outcome).toBe('disputed');
    expect(result.status.transcript).toContain('[USER]: I dispute this invoice, we never ordered it.');
    expect(result.toolCalls).toEqual(expect.arrayContaining([{ name: 'record_dispute', allowed: true }]));
  }, 90_000);
});
