import { evaluateContact } from '../evaluate-contact';
import { contactRequest } from '../testing/contact-request.factory';

const at = (iso: string) => new Date(iso);
const codes = (d: ReturnType<typeof evaluateContact>) => d.reasons.map((r) => r.code);

describe('contact hours (CONC 7.9; MCOB 13.5.4G by analogy)', () => {
  it('allows a call at noon on a Monday in London, next allowed = now', () => {
    const d = evaluateContact(contactRequest({ now: at('2026-11-23T12:00:00Z') }));
    expect(d.allowed).toBe(true);
    expect(d.reasons).toEqual([]);
    expect(d.nextAllowedAt).toEqual(at('2026-11-23T12:00:00Z'));
  });

  it('refuses 07:59 and names 08:00 the same morning', () => {
    const d = evaluateContact(contactRequest({ now: at('2026-11-23T07:59:00Z') }));
    expect(d.allowed).toBe(false);
    expect(codes(d)).toEqual(['OUTSIDE_CONTACT_HOURS']);
    expect(d.reasons[0]?.message).toContain('Monday to Saturday 08:00-21:00');
    expect(d.nextAllowedAt).toEqual(at('2026-11-23T08:00:00Z'));
  });

  it('treats 21:00 as closed and skips Sunday: Saturday 21:00 waits until Monday 08:00', () => {
    expect(evaluateContact(contactRequest({ now: at('2026-11-28T20:59:59Z') })).allowed).toBe(true);
    const d = evaluateContact(contactRequest({ now: at('2026-11-28T21:00:00Z') }));
    expect(d.allowed).toBe(false);
    expect(d.nextAllowedAt).toEqual(at('2026-11-30T08:00:00Z'));
  });

  it('follows British Summer Time: 08:00 BST is 07:00 UTC', () => {
    const summer = { channel: 'sms' as const };
    expect(evaluateContact(contactRequest({ ...summer, now: at('2026-07-06T06:59:00Z') })).nextAllowedAt).toEqual(
      at('2026-07-06T07:00:00Z'),
    );
    expect(evaluateContact(contactRequest({ ...summer, now: at('2026-07-06T19:59:00Z') })).allowed).toBe(true);
    expect(evaluateContact(contactRequest({ ...summer, now: at('2026-07-06T20:00:00Z') })).allowed).toBe(false);
  });

  it("uses the debtor's own zone", () => {
    const paris = { timezone: 'Europe/Paris' };
    expect(evaluateContact(contactRequest({ debtor: paris, now: at('2026-11-23T07:00:00Z') })).allowed).toBe(true);
    expect(evaluateContact(contactRequest({ debtor: paris, now: at('2026-11-23T20:00:00Z') })).allowed).toBe(false);
  });

  it("skips the bank holidays of the debtor's nation only (St Andrew's Day, 30 November 2026)", () => {
    const now = at('2026-11-30T12:00:00Z');
    expect(evaluateContact(contactRequest({ now, debtor: { nation: 'england_wales' } })).allowed).toBe(true);
    const scot = evaluateContact(contactRequest({ now, debtor: { nation: 'scotland' } }));
    expect(scot.allowed).toBe(false);
    expect(scot.reasons[0]?.message).toContain('a bank holiday');
    expect(scot.nextAllowedAt).toEqual(at('2026-12-01T08:00:00Z'));
  });

  it('waits over Christmas: 24 December 21:00 -> Tuesday 29 December 08:00 (25, 26 Boxing Day, Sunday, 28 substitute)', () => {
    const d = evaluateContact(contactRequest({ now: at('2026-12-24T21:00:00Z') }));
    expect(d.nextAllowedAt).toEqual(at('2026-12-29T08:00:00Z'));
  });

  it('applies the window to SMS and email too, but not to letters', () => {
    const sunday = at('2026-11-29T12:00:00Z');
    expect(evaluateContact(contactRequest({ channel: 'sms', now: sunday })).allowed).toBe(false);
    expect(evaluateContact(contactRequest({ channel: 'email', now: sunday })).allowed).toBe(false);
    expect(evaluateContact(contactRequest({ channel: 'letter', now: sunday })).allowed).toBe(true);
  });

  it('lets the debtor move SMS and email outside the window, never calls', () => {
    const preferredTimes = { windows: [{ days: [7 as const], start: '10:00', end: '12:00' }] };
    const sunday11 = at('2026-11-29T11:00:00Z');
    expect(evaluateContact(contactRequest({ channel: 'sms', now: sunday11, debtor: { preferredTimes } })).allowed).toBe(true);
    const call = evaluateContact(contactRequest({ channel: 'ai_call', now: sunday11, debtor: { preferredTimes } }));
    expect(call.allowed).toBe(false);
    expect(call.nextAllowedAt).toBeNull(); // Sunday only and calls never on Sunday: no common instant
    const smsMonday = evaluateContact(contactRequest({ channel: 'sms', now: at('2026-11-23T12:00:00Z'), debtor: { preferredTimes } }));
    expect(smsMonday.reasons.map((r) => r.code)).toEqual(['OUTSIDE_PREFERRED_TIMES']);
    expect(smsMonday.nextAllowedAt).toEqual(at('2026-11-29T10:00:00Z'));
  });

  it('narrows calls to the intersection of the window and the preferred times', () => {
    const preferredTimes = { windows: [{ days: [1 as const], start: '18:00', end: '23:00' }] };
    const d = evaluateContact(contactRequest({ now: at('2026-11-23T21:30:00Z'), debtor: { preferredTimes } }));
    expect(d.allowed).toBe(false);
    expect(d.nextAllowedAt).toEqual(at('2026-11-30T18:00:00Z'));
  });

  it('lets an SMS the debtor asked for go out at night; a requested call still waits', () => {
    const night = at('2026-11-23T22:30:00Z');
    expect(evaluateContact(contactRequest({ channel: 'sms', purpose: 'payment_link', debtorRequested: true, now: night })).allowed).toBe(
      true,
    );
    expect(evaluateContact(contactRequest({ channel: 'ai_call', debtorRequested: true, now: night })).allowed).toBe(false);
  });

  it('refuses a debtor whose zone is not a real IANA zone, for good', () => {
    const d = evaluateContact(contactRequest({ debtor: { timezone: 'Mars/Olympus' } }));
    expect(codes(d)).toContain('INVALID_TIMEZONE');
    expect(d.nextAllowedAt).toBeNull();
  });

  it('can be switched off or reshaped per tenant', () => {
    const sunday = at('2026-11-29T12:00:00Z');
    expect(evaluateContact(contactRequest({ now: sunday, config: { contactHours: { enabled: false } } })).allowed).toBe(true);
    const shorter = {
      contactHours: {
        windows: {
          ai_call: { days: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5>, start: '09:00', end: '17:00', excludeBankHolidays: true },
        },
      },
    };
    expect(evaluateContact(contactRequest({ now: at('2026-11-23T17:30:00Z'), config: shorter })).nextAllowedAt).toEqual(
      at('2026-11-24T09:00:00Z'),
    );
  });
});
