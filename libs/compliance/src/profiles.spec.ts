import { RuleSetConfigSchema } from './rule-set.schema';
import { resolveProfile, UK_PROFILE, US_PROFILE } from './profiles';

describe('profiles', () => {
  it('are valid rule sets with a version each', () => {
    expect(RuleSetConfigSchema.parse(UK_PROFILE.rules)).toEqual(UK_PROFILE.rules);
    expect(RuleSetConfigSchema.parse(US_PROFILE.rules)).toEqual(US_PROFILE.rules);
    expect(UK_PROFILE.version).not.toBe(US_PROFILE.version);
  });

  it('give UK calls Monday to Saturday and US calls every day, 08:00-21:00', () => {
    expect(UK_PROFILE.rules.contactHours.windows.ai_call).toEqual({
      days: [1, 2, 3, 4, 5, 6],
      start: '08:00',
      end: '21:00',
      excludeBankHolidays: true,
    });
    expect(US_PROFILE.rules.contactHours.windows.ai_call).toEqual({
      days: [1, 2, 3, 4, 5, 6, 7],
      start: '08:00',
      end: '21:00',
      excludeBankHolidays: false,
    });
    expect(US_PROFILE.rules.frequency).toMatchObject({
      maxContacts: 7,
      periodDays: 7,
      scope: 'debt',
      countedChannels: ['ai_call', 'ivr_call'],
    });
  });

  it('merge overrides key by key and fingerprint them in the version, independent of key order', () => {
    const a = resolveProfile('uk', { frequency: { maxContacts: 3, periodDays: 14 } });
    const b = resolveProfile('uk', { frequency: { periodDays: 14, maxContacts: 3 } });
    expect(a.rules.frequency).toMatchObject({ maxContacts: 3, periodDays: 14, scope: 'debtor' });
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(resolveProfile('uk', { frequency: { maxContacts: 4 } }).version);
    expect(resolveProfile('uk', {})).toBe(UK_PROFILE);
  });

  it('reject an override that would not make sense rather than weaken a rule silently', () => {
    expect(() => resolveProfile('uk', { frequency: { maxContacts: 0 } })).toThrow();
    expect(() =>
      resolveProfile('uk', { contactHours: { windows: { sms: { days: [1], start: '21:00', end: '08:00', excludeBankHolidays: true } } } }),
    ).toThrow();
  });
});
