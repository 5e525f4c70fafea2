import { contactAtLevel, contactForBand, nextContact, paymentBand, type ContactReach } from './next-channel';

const everything: ContactReach = { email: true, phone: true, smsInTier: true, aiCallsInTier: true };
const postOnly: ContactReach = { email: false, phone: false, smsInTier: true, aiCallsInTier: true };
const starter: ContactReach = { email: true, phone: true, smsInTier: false, aiCallsInTier: false };

describe('the collection ladder', () => {
  it('puts a probability on a band boundary in the band that names it as its lower edge', () => {
    expect([0.71, 0.7, 0.4, 0.39, 0.2, 0.19].map(paymentBand)).toEqual([
      'gentle_reminder',
      'standard_escalation',
      'standard_escalation',
      'immediate_escalation',
      'immediate_escalation',
      'consider_write_off',
    ]);
  });

  it('climbs reminder, text, final notice, AI call for a debtor every channel reaches', () => {
    expect([1, 2, 3, 4].map((l) => contactAtLevel(l, everything))).toEqual([
      { level: 1, stage: 'gentle_reminder', channel: 'email' },
      { level: 2, stage: 'standard_escalation', channel: 'sms' },
      { level: 3, stage: 'final_notice', channel: 'email' },
      { level: 4, stage: 'final_notice', channel: 'ai_call' },
    ]);
    expect(contactAtLevel(5, everything)).toBeNull();
  });

  it('writes by post without an email address or a phone, and stops before the call a tier does not include', () => {
    expect([1, 2, 3].map((l) => contactAtLevel(l, postOnly)?.channel)).toEqual(['letter', 'letter', 'letter']);
    expect(contactAtLevel(2, starter)?.channel).toBe('email');
    expect(contactAtLevel(4, starter)).toBeNull();
    expect(contactAtLevel(4, postOnly)).toBeNull();
  });

  it('the pipeline goes one level up, skipping the gentlest step for a debtor unlikely to pay', () => {
    expect(nextContact(0, 'gentle_reminder', everything)?.level).toBe(1);
    expect(nextContact(0, 'standard_escalation', everything)?.level).toBe(1);
    expect(nextContact(0, 'immediate_escalation', everything)?.level).toBe(2);
    expect(nextContact(1, 'consider_write_off', everything)?.level).toBe(3);
    expect(nextContact(2, 'consider_write_off', everything)?.level).toBe(3);
    expect(nextContact(3, 'gentle_reminder', starter)).toBeNull();
  });

  it('the strategy recommends the same ladder by band alone', () => {
    expect(contactForBand('gentle_reminder', everything)).toEqual(contactAtLevel(1, everything));
    expect(contactForBand('standard_escalation', everything)).toEqual(contactAtLevel(2, everything));
    expect(contactForBand('immediate_escalation', everything)).toEqual(contactAtLevel(4, everything));
    expect(contactForBand('immediate_escalation', starter)).toEqual(contactAtLevel(3, starter));
    expect(contactForBand('consider_write_off', postOnly)).toEqual({ level: 3, stage: 'final_notice', channel: 'letter' });
  });
});
