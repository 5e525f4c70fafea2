import { DEBTOR_SCRIPTS, EXPECTED_OUTCOMES, SCRIPT_SETUP, TRANSFER_PHONE } from './debtor-scripts';
import { CallSimulator, disclosed, formatResult, type SimulationResult } from './simulator';

/**
 * Every scripted debtor through one voice-agent process (real Twilio and OpenAI adapters on loopback fakes), the
 * calls placed at once and each asserted on its outcome and on what a regulator or the debtor would check.
 */
async function inBatches<T>(items: string[], size: number, run: (item: string) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.allSettled(items.slice(i, i + size).map(run))));
  return out;
}

describe('call simulator: every script ends as it must', () => {
  const sim = new CallSimulator({ frameMs: 10 });
  const results = new Map<string, SimulationResult>();
  const names = Object.keys(EXPECTED_OUTCOMES);

  beforeAll(async () => {
    await sim.start();
    // A few calls at a time: concurrent enough to be quick, not so many that a loaded CI machine starves the fakes.
    const settled = await inBatches(names, 4, async (name) =>
      results.set(name, await sim.run({ script: DEBTOR_SCRIPTS[name]!, ...SCRIPT_SETUP[name] })),
    );
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${names[i]}: ${(s.reason as Error).message}`] : []));
    if (failed.length) throw new Error(failed.join('\n'));
  }, 150_000);
  afterAll(() => sim.stop(), 30_000);

  const result = (name: string) => results.get(name) as SimulationResult;

  it.each(names)('%s: outcome as expected', (name) => {
    const r = result(name);
    // On a mismatch the whole call is printed: what was said, the tools, the SMS.
    expect({ name, outcome: r.status.outcome, ...(r.status.outcome === EXPECTED_OUTCOMES[name] ? {} : { call: formatResult(r) }) }).toEqual(
      {
        name,
        outcome: EXPECTED_OUTCOMES[name],
      },
    );
  });

  it('every answered call starts with the recording notice, stored as the first turn; nothing is disclosed before identity', () => {
    for (const name of names.filter((n) => DEBTOR_SCRIPTS[n]!.answer === 'human')) {
      const r = result(name);
      expect(r.status.transcript).toMatch(/^\[AI\]: Hello, this is an automated assistant calling for .*This call is recorded/);
      const verified = r.toolCalls.some((c) => c.name === 'verify_identity' && c.allowed);
      if (!verified) expect({ name, disclosed: disclosed(r) }).toEqual({ name, disclosed: false });
    }
  });

  it('promise: the link and the confirmation are texted, after identity', () => {
    const r = result('promise');
    expect(r.toolCalls.map((c) => c.name)).toEqual(
      expect.arrayContaining(['verify_identity', 'send_payment_link', 'record_promise_to_pay']),
    );
    expect(r.sms.find((s) => s.purpose === 'payment_link')?.variables.payment_link_url).toMatch(/^http/);
    expect(r.sms.find((s) => s.purpose === 'promise_to_pay_confirmation')?.variables.promise_amount).toBe('1500.00');
    expect(r.status.cost).toBeGreaterThan(0.08); // two SMS at least
  });

  it('dispute said as the last words before hanging up: recorded, collection paused', () => {
    const r = result('dispute');
    expect(r.status.transcript).toContain('[USER]: I dispute this invoice, we never ordered it.');
    expect(r.toolCalls).toEqual(expect.arrayContaining([{ name: 'record_dispute', allowed: true }]));
    expect(r.invoiceStatus).toBe('disputed');
  });

  it('opt-out stops AI and IVR calls through the core', () => {
    expect(result('opt-out').debtor.stoppedChannels).toEqual(expect.arrayContaining(['ai_call', 'ivr_call']));
  });

  it('voicemail: the message is left after the beep and names no debt detail', () => {
    const r = result('voicemail');
    expect(r.heardAfterBeep.map((l) => l.text).join(' ')).toMatch(/This is a message for John Smith \d+ from .*call us back/);
    expect(disclosed(r)).toBe(false);
  });

  it('no answer: nothing said, nothing recorded', () => {
    expect(result('no-answer').heard).toEqual([]);
    expect(result('no-answer').recordings).toEqual([]);
  });

  it('wrong person: a call-back request, no debt detail, no money tool', () => {
    const r = result('wrong-person');
    expect(r.heard.map((l) => l.text).join(' ')).toMatch(/ask John Smith \d+ to call .* back/);
    expect(disclosed(r)).toBe(false);
    expect(r.sms).toEqual([]);
  });

  it('consent refused: the refusal is stored and the recording stopped at Twilio', () => {
    const r = result('consent-refused');
    expect(r.recordingConsent).toBe('refused');
    expect(r.recordings.length).toBeGreaterThan(0);
    expect(r.recordings.every((x) => x.status === 'stopped')).toBe(true);
    // Answered calls that did not object stay recorded.
    expect(result('promise').recordings.map((x) => x.status)).toEqual(['in-progress']);
  });

  it('vulnerability: collection paused, the debtor flagged for a person and signposted to free debt advice', () => {
    const r = result('vulnerability');
    expect(r.debtor.vulnerable).toBe(true);
    expect(r.heard.map((l) => l.text).join(' ')).toMatch(/MoneyHelper.*StepChange.*National Debtline/);
  });

  it("transfer: put through with <Dial> to the tenant's number", () => {
    expect(result('transfer').dialled).toEqual([TRANSFER_PHONE]);
  });
});
