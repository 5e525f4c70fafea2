import { evaluateContact } from '../evaluate-contact';
import { contactRequest } from '../testing/contact-request.factory';

const at = (iso: string) => new Date(iso);
const codes = (d: ReturnType<typeof evaluateContact>) => d.reasons.map((r) => r.code);

describe('disputes (CONC 7.14)', () => {
  const disputed = { disputeOpenedAt: at('2026-11-20T09:00:00Z') };

  it('refuses every demand, on every channel, with no time given', () => {
    for (const channel of ['email', 'sms', 'ai_call', 'ivr_call', 'letter'] as const) {
      const d = evaluateContact(contactRequest({ channel, debtor: disputed }));
      expect(codes(d)).toContain('DEBT_DISPUTED');
      expect(d.nextAllowedAt).toBeNull();
    }
  });

  it('still lets the acknowledgement of the dispute go out', () => {
    expect(evaluateContact(contactRequest({ channel: 'email', purpose: 'dispute_acknowledgement', debtor: disputed })).allowed).toBe(true);
  });

  it('lifts once the outcome is recorded, and applies to an invoice marked disputed', () => {
    expect(
      evaluateContact(contactRequest({ channel: 'email', debtor: { ...disputed, disputeResolvedAt: at('2026-11-22T09:00:00Z') } })).allowed,
    ).toBe(true);
    expect(codes(evaluateContact(contactRequest({ channel: 'email', debt: { status: 'disputed' } })))).toEqual(['DEBT_DISPUTED']);
  });

  it('treats a new dispute after an old outcome as open', () => {
    const reopened = { disputeOpenedAt: at('2026-11-22T09:00:00Z'), disputeResolvedAt: at('2026-11-10T09:00:00Z') };
    expect(codes(evaluateContact(contactRequest({ channel: 'email', debtor: reopened })))).toEqual(['DEBT_DISPUTED']);
  });
});

describe('nothing owed', () => {
  it('never asks for payment of a paid invoice, but sends its receipt', () => {
    expect(codes(evaluateContact(contactRequest({ channel: 'email', debt: { status: 'paid', paidPence: 120_00 } })))).toEqual([
      'DEBT_NOT_OUTSTANDING',
    ]);
    expect(
      evaluateContact(contactRequest({ channel: 'email', purpose: 'receipt', debt: { status: 'paid', paidPence: 120_00 } })).allowed,
    ).toBe(true);
  });
});

describe('Breathing Space (SI 2020/1311 regs 7, 11)', () => {
  const moratorium = { breathingSpaceStart: at('2026-11-01T00:00:00Z'), breathingSpaceEnd: at('2026-12-31T00:00:00Z') };

  it('refuses demands until the moratorium ends, then waits for the window', () => {
    const d = evaluateContact(contactRequest({ channel: 'email', debtor: moratorium }));
    expect(codes(d)).toEqual(['BREATHING_SPACE_ACTIVE']);
    expect(d.nextAllowedAt).toEqual(at('2026-12-31T08:00:00Z'));
  });

  it('has no next time while a crisis moratorium has no end date', () => {
    expect(
      evaluateContact(contactRequest({ channel: 'email', debtor: { breathingSpaceStart: at('2026-11-01T00:00:00Z') } })).nextAllowedAt,
    ).toBeNull();
  });

  it('allows contact with the debt adviser and written replies the debtor asked for, never an automated call', () => {
    const adviser = evaluateContact(contactRequest({ channel: 'email', recipient: 'debt_adviser', debtor: moratorium }));
    expect(adviser.allowed).toBe(true);
    expect(codes(adviser)).toEqual(['DEBT_ADVISER_CONTACT']);
    expect(
      evaluateContact(contactRequest({ channel: 'sms', purpose: 'payment_link', debtorRequested: true, debtor: moratorium })).allowed,
    ).toBe(true);
    expect(codes(evaluateContact(contactRequest({ channel: 'ai_call', debtorRequested: true, debtor: moratorium })))).toEqual([
      'BREATHING_SPACE_ACTIVE',
    ]);
  });

  it('lets the acknowledgement of the moratorium go out, and ends with it', () => {
    expect(
      evaluateContact(contactRequest({ channel: 'letter', purpose: 'breathing_space_acknowledgement', debtor: moratorium })).allowed,
    ).toBe(true);
    expect(
      evaluateContact(contactRequest({ channel: 'email', debtor: { ...moratorium, breathingSpaceEnd: at('2026-11-20T00:00:00Z') } }))
        .allowed,
    ).toBe(true);
  });
});

describe('vulnerability and mental capacity (CONC 7.2, 7.10)', () => {
  it('routes a vulnerable debtor to a person: no automated contact of any kind', () => {
    for (const purpose of ['reminder', 'receipt'] as const) {
      const d = evaluateContact(contactRequest({ channel: 'email', purpose, debtor: { vulnerable: true } }));
      expect(codes(d)).toEqual(['VULNERABLE_ROUTE_TO_HUMAN']);
      expect(d.nextAllowedAt).toBeNull();
    }
    const human = evaluateContact(contactRequest({ channel: 'email', initiatedBy: 'human', debtor: { vulnerable: true } }));
    expect(human.allowed).toBe(true);
    expect(codes(human)).toEqual(['HUMAN_HANDLING_VULNERABLE']);
    // An AI call stays automated even when a person asked for it.
    expect(codes(evaluateContact(contactRequest({ channel: 'ai_call', initiatedBy: 'human', debtor: { vulnerable: true } })))).toEqual([
      'VULNERABLE_ROUTE_TO_HUMAN',
    ]);
  });

  it('suspends collection while capacity is in question, except through an attorney', () => {
    expect(
      codes(evaluateContact(contactRequest({ channel: 'email', initiatedBy: 'human', debtor: { mentalCapacityConcern: true } }))),
    ).toEqual(['MENTAL_CAPACITY_SUSPENDED']);
    expect(
      evaluateContact(contactRequest({ channel: 'email', recipient: 'attorney', debtor: { mentalCapacityConcern: true } })).allowed,
    ).toBe(true);
  });
});
