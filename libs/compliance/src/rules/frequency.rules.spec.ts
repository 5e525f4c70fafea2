import { evaluateContact } from '../evaluate-contact';
import { contactRequest, past } from '../testing/contact-request.factory';
import type { ContactHistoryEntry } from '../contact.types';

const at = (iso: string) => new Date(iso);
const codes = (d: ReturnType<typeof evaluateContact>) => d.reasons.map((r) => r.code);

/** One email a day at 10:00 UTC, the last on the morning of `now` (23 November, noon). */
function emailsDaily(count: number, lastDay = 23, status: ContactHistoryEntry['status'] = 'delivered'): ContactHistoryEntry[] {
  return Array.from({ length: count }, (_, i) => past('email', `2026-11-${String(lastDay - i).padStart(2, '0')}T10:00:00Z`, status));
}

describe('contact frequency (MCOB 13.5.3R, OFT664 3.7; Reg F 1006.14(b)(2))', () => {
  const email = { channel: 'email' as const };

  it('allows the 7th contact in 7 days and refuses the 8th until the oldest ages out', () => {
    expect(evaluateContact(contactRequest({ ...email, history: emailsDaily(6) })).allowed).toBe(true);
    const d = evaluateContact(contactRequest({ ...email, history: emailsDaily(7) }));
    expect(codes(d)).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(d.reasons[0]?.message).toContain('7 contacts in the last 7 days');
    // Emails on 17-23 November at 10:00: the one of the 17th stops counting 7 days later.
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T10:00:00Z'));
    // A contact exactly one period old no longer counts.
    expect(evaluateContact(contactRequest({ ...email, now: at('2026-11-24T10:00:00Z'), history: emailsDaily(7) })).allowed).toBe(true);
  });

  it('counts across channels and frees up exactly one period after the contact that pushed it over', () => {
    const history = [
      past('letter', '2026-11-17T09:00:00Z'),
      past('sms', '2026-11-18T09:00:00Z'),
      past('ai_call', '2026-11-19T09:00:00Z', 'no_answer'),
      past('email', '2026-11-20T09:00:00Z'),
      past('email', '2026-11-21T09:00:00Z'),
      past('sms', '2026-11-22T09:00:00Z'),
      past('email', '2026-11-23T09:00:00Z'),
    ];
    const d = evaluateContact(contactRequest({ ...email, history }));
    expect(codes(d)).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T09:00:00Z'));
  });

  it('does not count bounced, failed or blocked attempts', () => {
    expect(evaluateContact(contactRequest({ ...email, history: emailsDaily(7, 23, 'bounced') })).allowed).toBe(true);
  });

  it('is configurable and does not cap receipts or acknowledgements', () => {
    const config = { frequency: { maxContacts: 3 } };
    expect(codes(evaluateContact(contactRequest({ ...email, config, history: emailsDaily(3) })))).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(evaluateContact(contactRequest({ ...email, purpose: 'receipt', config, history: emailsDaily(3) })).allowed).toBe(true);
  });

  it('under Reg F counts call attempts per debt, not emails nor other debts', () => {
    const us = {
      profile: 'us' as const,
      now: at('2026-11-23T18:00:00Z'),
      debtor: { timezone: 'America/New_York', phone: '+12025550123', artificialVoiceConsentAt: at('2026-01-01T00:00:00Z') },
      config: { automatedCalls: { minHoursBetweenCalls: 0 } },
    };
    const calls = (invoiceId: string) =>
      Array.from({ length: 7 }, (_, i) => past('ai_call', `2026-11-${17 + i}T15:00:00Z`, 'no_answer', { invoiceId }));
    expect(evaluateContact(contactRequest({ ...us, history: calls('inv-2') })).allowed).toBe(true);
    expect(evaluateContact(contactRequest({ ...us, history: emailsDaily(7) })).allowed).toBe(true);
    const d = evaluateContact(contactRequest({ ...us, history: calls('inv-1') }));
    expect(codes(d)).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-24T15:00:00Z'));
  });
});

describe('quiet period after a phone conversation', () => {
  const conversation = past('ai_call', '2026-11-21T10:00:00Z', 'completed', { answeredBy: 'human' });

  it('refuses further demands for 7 days after a completed conversation', () => {
    const d = evaluateContact(contactRequest({ channel: 'email', history: [conversation] }));
    expect(codes(d)).toEqual(['RECENT_CONVERSATION']);
    expect(d.nextAllowedAt).toEqual(at('2026-11-28T10:00:00Z'));
  });

  it('allows what the debtor asked for, and the confirmation of what they agreed', () => {
    const asked = evaluateContact(contactRequest({ channel: 'email', debtorRequested: true, history: [conversation] }));
    expect(asked.allowed).toBe(true);
    expect(asked.reasons.map((r) => [r.code, r.severity])).toEqual([['DEBTOR_REQUESTED_EXEMPT', 'info']]);
    expect(
      evaluateContact(contactRequest({ channel: 'sms', purpose: 'promise_to_pay_confirmation', history: [conversation] })).allowed,
    ).toBe(true);
  });

  it('does not treat an answering machine as a conversation', () => {
    const machine = past('ai_call', '2026-11-21T10:00:00Z', 'completed', { answeredBy: 'machine_end_silence' });
    expect(evaluateContact(contactRequest({ channel: 'email', history: [machine] })).allowed).toBe(true);
  });

  it('under Reg F restricts only further calls about the same debt', () => {
    const us = {
      profile: 'us' as const,
      now: at('2026-11-23T18:00:00Z'),
      debtor: { timezone: 'America/New_York', phone: '+12025550123', artificialVoiceConsentAt: at('2026-01-01T00:00:00Z') },
    };
    expect(evaluateContact(contactRequest({ ...us, channel: 'email', history: [conversation] })).allowed).toBe(true);
    expect(codes(evaluateContact(contactRequest({ ...us, history: [conversation] })))).toEqual(['RECENT_CONVERSATION']);
    expect(evaluateContact(contactRequest({ ...us, history: [{ ...conversation, invoiceId: 'inv-9' }] })).allowed).toBe(true);
  });
});
