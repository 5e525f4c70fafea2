import { evaluateContact } from '../evaluate-contact';
import { contactRequest, past } from '../testing/contact-request.factory';

const at = (iso: string) => new Date(iso);
const codes = (d: ReturnType<typeof evaluateContact>) => d.reasons.map((r) => r.code);

describe('automated calls (AI and IVR)', () => {
  it('keeps 24 hours between calls to the same debtor, AI and IVR alike', () => {
    const d = evaluateContact(
      contactRequest({ now: at('2026-11-23T15:00:00Z'), history: [past('ivr_call', '2026-11-23T10:00:00Z', 'no_answer')] }),
    );
    expect(codes(d)).toEqual(['AUTOMATED_CALL_TOO_SOON']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T10:00:00Z'));
  });

  it('does not count a call that failed before it was placed', () => {
    expect(
      evaluateContact(contactRequest({ now: at('2026-11-23T15:00:00Z'), history: [past('ai_call', '2026-11-23T10:00:00Z', 'failed')] }))
        .allowed,
    ).toBe(true);
  });

  it('needs an outstanding balance of at least GBP 50, after part payments', () => {
    expect(evaluateContact(contactRequest({ debt: { amountPence: 50_00 } })).allowed).toBe(true);
    const d = evaluateContact(contactRequest({ debt: { amountPence: 100_00, paidPence: 50_01 } }));
    expect(codes(d)).toEqual(['BALANCE_BELOW_CALL_MINIMUM']);
    expect(d.nextAllowedAt).toBeNull();
  });

  it('waits until the invoice is 7 days overdue in local time, then for the window', () => {
    const d = evaluateContact(contactRequest({ now: at('2026-11-23T12:00:00Z'), debt: { dueDate: '2026-11-17' } }));
    expect(codes(d)).toEqual(['NOT_OVERDUE_LONG_ENOUGH']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T08:00:00Z'));
    // A Date due date, as PostgreSQL `date` columns arrive, reads the same.
    expect(
      evaluateContact(contactRequest({ now: at('2026-11-24T08:00:00Z'), debt: { dueDate: new Date('2026-11-17T00:00:00Z') } })).allowed,
    ).toBe(true);
  });

  it('calls only valid UK numbers in E.164 form', () => {
    for (const phone of ['07400123456', '+12025550123', '+44740012345', '+447700901123', '']) {
      expect(codes(evaluateContact(contactRequest({ debtor: { phone } })))).toContain(
        phone ? 'INVALID_PHONE_NUMBER' : 'CONTACT_DETAILS_MISSING',
      );
    }
    expect(evaluateContact(contactRequest({ debtor: { phone: '+442079460000' } })).allowed).toBe(true);
    // Ofcom's drama range is the platform's example number: one rule accepts it everywhere (phone-number.ts).
    expect(evaluateContact(contactRequest({ debtor: { phone: '+447700900123' } })).allowed).toBe(true);
    const bad = evaluateContact(contactRequest({ debtor: { phone: '+447700901123' } })).reasons.find(
      (r) => r.code === 'INVALID_PHONE_NUMBER',
    );
    expect(bad?.message).toBe("The debtor's phone number is not a valid UK mobile or landline number.");
  });

  it('calls only the debtor themself', () => {
    expect(codes(evaluateContact(contactRequest({ recipient: 'debt_adviser' })))).toContain('AUTOMATED_CALL_DEBTOR_ONLY');
  });

  it('makes no repeat call within 72 hours of an abandoned call (Ofcom)', () => {
    const d = evaluateContact(
      contactRequest({ now: at('2026-11-25T12:00:00Z'), history: [past('ai_call', '2026-11-23T10:00:00Z', 'abandoned')] }),
    );
    expect(codes(d)).toEqual(['ABANDONED_CALL_QUIET_PERIOD']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-26T10:00:00Z'));
  });

  it('makes no further call on the day an answering machine picked up (Ofcom)', () => {
    const noGap = { automatedCalls: { minHoursBetweenCalls: 0 } };
    const d = evaluateContact(
      contactRequest({ now: at('2026-11-23T12:00:00Z'), config: noGap, history: [past('ai_call', '2026-11-23T09:00:00Z', 'machine')] }),
    );
    expect(codes(d)).toEqual(['ANSWERING_MACHINE_TODAY']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T08:00:00Z'));
    const beep = past('ai_call', '2026-11-23T09:00:00Z', 'completed', { answeredBy: 'machine_end_beep' });
    expect(codes(evaluateContact(contactRequest({ config: noGap, history: [beep] })))).toEqual(['ANSWERING_MACHINE_TODAY']);
    // "unknown" is treated as possibly a person: not a machine.
    const unknown = past('ai_call', '2026-11-23T09:00:00Z', 'no_answer', { answeredBy: 'unknown' });
    expect(evaluateContact(contactRequest({ config: noGap, history: [unknown] })).allowed).toBe(true);
  });

  it('reports every time rule that blocks, and the instant they all allow', () => {
    const d = evaluateContact(
      contactRequest({
        now: at('2026-11-28T20:00:00Z'), // Saturday 20:00
        history: [past('ai_call', '2026-11-28T19:00:00Z', 'abandoned')],
      }),
    );
    expect(codes(d)).toEqual(['AUTOMATED_CALL_TOO_SOON', 'ABANDONED_CALL_QUIET_PERIOD']);
    // 72 h after Saturday 19:00 is Tuesday 19:00, inside the window.
    expect(d.nextAllowedAt).toEqual(at('2026-12-01T19:00:00Z'));
  });

  it('needs TCPA consent for artificial-voice calls under the US profile only', () => {
    const us = { profile: 'us' as const, now: at('2026-11-23T18:00:00Z'), debtor: { timezone: 'America/Chicago', phone: '+12025550123' } };
    expect(codes(evaluateContact(contactRequest(us)))).toEqual(['ARTIFICIAL_VOICE_CONSENT_MISSING']);
    const consented = contactRequest({ ...us, debtor: { ...us.debtor, artificialVoiceConsentAt: at('2026-01-01T00:00:00Z') } });
    expect(evaluateContact(consented).allowed).toBe(true);
    expect(codes(evaluateContact(contactRequest({ debtor: { phone: '+447400123456' } })))).toEqual([]);
  });
});
