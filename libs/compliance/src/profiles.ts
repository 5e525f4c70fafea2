import { createHash } from 'node:crypto';
import type { IsoWeekday } from './contact.types';
import { mergeRuleSet, RuleSetConfigSchema, type RuleSetConfig, type RuleSetOverrides } from './rule-set.schema';

export type ProfileId = 'uk' | 'us';

export interface ComplianceProfile {
  id: ProfileId;
  /** Bump when a rule or default changes: every audit row records it. */
  version: string;
  rules: RuleSetConfig;
}

const MON_SAT: IsoWeekday[] = [1, 2, 3, 4, 5, 6];
const EVERY_DAY: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
// Every attempt counts towards the cap except those that never reached the debtor.
const COUNTED = [
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'replied',
  'answered',
  'no_answer',
  'busy',
  'abandoned',
  'machine',
  'completed',
] as const;

/**
 * UK: CONC 7 for consumer debts, Ofcom's persistent-misuse policy and the Administration of
 * Justice Act 1970 s.40 for everyone. Figures UK rules leave open are product choices, marked.
 */
const ukRules: RuleSetConfig = {
  defaultTimezone: 'Europe/London',
  contactHours: {
    enabled: true,
    // CONC 7.9 (no contact at unreasonable times); 08:00-21:00 from MCOB 13.5.4G applied by analogy.
    // Sunday and bank holidays off is common practice rather than a rule: our default.
    windows: {
      ai_call: { days: MON_SAT, start: '08:00', end: '21:00', excludeBankHolidays: true },
      ivr_call: { days: MON_SAT, start: '08:00', end: '21:00', excludeBankHolidays: true },
      sms: { days: MON_SAT, start: '08:00', end: '21:00', excludeBankHolidays: true },
      email: { days: MON_SAT, start: '08:00', end: '21:00', excludeBankHolidays: true },
    },
    debtorMayOverride: ['sms', 'email'],
  },
  // Product policy: an AI call is proportionate only for a real, settled arrear (GBP 50, 7 days),
  // at most one a day, and only to a dialable UK number (Ofcom: valid caller line identification).
  automatedCalls: {
    enabled: true,
    channels: ['ai_call', 'ivr_call'],
    minHoursBetweenCalls: 24,
    minBalancePence: 5_000,
    minDaysOverdue: 7,
    callingCode: '44',
  },
  // Ofcom persistent-misuse policy: 72 h after an abandoned call, nothing more that day after AMD.
  ofcomAbandonedCalls: { enabled: true, channels: ['ai_call', 'ivr_call'], abandonedQuietHours: 72, noRepeatSameDayAfterMachine: true },
  // MCOB 13.5.3R / OFT664 3.7 forbid excessive contact without a number: 7 in a rolling 7 days
  // (Reg F's figure) across every channel is our default.
  frequency: {
    enabled: true,
    maxContacts: 7,
    periodDays: 7,
    countedChannels: ['email', 'sms', 'ai_call', 'ivr_call', 'letter'],
    appliesToChannels: ['email', 'sms', 'ai_call', 'ivr_call', 'letter'],
    countedStatuses: [...COUNTED],
    scope: 'debtor',
  },
  recentConversation: {
    enabled: true,
    quietDays: 7,
    appliesToChannels: ['email', 'sms', 'ai_call', 'ivr_call', 'letter'],
    scope: 'debtor',
  },
  dispute: { enabled: true },
  channelRequests: { enabled: true, preferredChannelExclusive: true },
  // Automated calls never go out in a moratorium, even on request: a requested call-back goes to a person.
  breathingSpace: { enabled: true, debtorRequestChannels: ['email', 'sms', 'letter'] },
  vulnerability: { enabled: true },
  mentalCapacity: { enabled: true },
  // TCPA consent is a US rule; off in the UK profile.
  artificialVoiceConsent: { enabled: false, channels: ['ai_call', 'ivr_call'] },
  contactDetails: { enabled: true },
  purposeChannels: { enabled: true },
};

/**
 * US: Regulation F (12 CFR 1006) and the FDCPA. Inconvenient times cover every communication
 * (1006.6(b)(1)(i)); the 7-in-7 and 7-days-after-a-conversation presumptions are per debt and
 * about calls only (1006.14(b)(2)); artificial-voice calls need prior express consent (TCPA, FCC 24-17).
 */
const usRules: RuleSetConfig = {
  ...ukRules,
  defaultTimezone: 'America/New_York',
  contactHours: {
    enabled: true,
    windows: {
      ai_call: { days: EVERY_DAY, start: '08:00', end: '21:00', excludeBankHolidays: false },
      ivr_call: { days: EVERY_DAY, start: '08:00', end: '21:00', excludeBankHolidays: false },
      sms: { days: EVERY_DAY, start: '08:00', end: '21:00', excludeBankHolidays: false },
      email: { days: EVERY_DAY, start: '08:00', end: '21:00', excludeBankHolidays: false },
    },
    debtorMayOverride: [],
  },
  automatedCalls: { ...ukRules.automatedCalls, callingCode: '1' },
  frequency: { ...ukRules.frequency, countedChannels: ['ai_call', 'ivr_call'], appliesToChannels: ['ai_call', 'ivr_call'], scope: 'debt' },
  recentConversation: { enabled: true, quietDays: 7, appliesToChannels: ['ai_call', 'ivr_call'], scope: 'debt' },
  artificialVoiceConsent: { enabled: true, channels: ['ai_call', 'ivr_call'] },
};

export const UK_PROFILE: ComplianceProfile = Object.freeze({
  id: 'uk',
  version: 'uk-2026.11.21',
  rules: RuleSetConfigSchema.parse(ukRules),
});
export const US_PROFILE: ComplianceProfile = Object.freeze({
  id: 'us',
  version: 'us-2026.11.21',
  rules: RuleSetConfigSchema.parse(usRules),
});
export const PROFILES: Readonly<Record<ProfileId, ComplianceProfile>> = Object.freeze({ uk: UK_PROFILE, us: US_PROFILE });

/**
 * The profile with a tenant's overrides applied. The version gains a fingerprint of the overrides,
 * so an audit row names exactly the rules that decided it.
 */
export function resolveProfile(profile: ProfileId | ComplianceProfile = 'uk', overrides?: RuleSetOverrides): ComplianceProfile {
  const base = typeof profile === 'string' ? PROFILES[profile] : profile;
  if (!base) throw new Error(`unknown compliance profile "${String(profile)}"`);
  if (!overrides || Object.keys(overrides).length === 0) return base;
  const fingerprint = createHash('sha256').update(stableJson(overrides)).digest('hex').slice(0, 10);
  return { id: base.id, version: `${base.version}+${fingerprint}`, rules: mergeRuleSet(base.rules, overrides) };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
