import { z } from 'zod';
import { CHANNELS, CONTACT_STATUSES } from './contact.types';

const Channel = z.enum(CHANNELS);
const Status = z.enum(CONTACT_STATUSES);
const HourMinute = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:mm (00:00-24:00)');
const Weekday = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]);

export const WeeklyWindowSchema = z
  .object({ days: z.array(Weekday).min(1), start: HourMinute, end: HourMinute })
  .refine((w) => w.start < w.end, 'start must be before end');

/** Stored in clients.preferred_times: the debtor asked to be contacted only within these windows. */
export const PreferredTimesSchema = z.object({ windows: z.array(WeeklyWindowSchema).min(1) });

const ContactWindow = WeeklyWindowSchema.and(z.object({ excludeBankHolidays: z.boolean() }));

/**
 * Every rule of the engine, each switchable and tunable. A profile (UK, US) is one value of this
 * schema; a tenant's overrides are merged over it and the result validated again, so a typo in an
 * override fails loudly instead of silently weakening a rule.
 */
export const RuleSetConfigSchema = z.object({
  /** Zone used when the debtor has none recorded. */
  defaultTimezone: z.string().min(1),
  contactHours: z.object({
    enabled: z.boolean(),
    /** Window per channel; a channel left out (letters) has no time-of-day limit. */
    windows: z.partialRecord(Channel, ContactWindow),
    /** Channels where the debtor's own request (preferred times, or asking for this contact) replaces the window. */
    debtorMayOverride: z.array(Channel),
  }),
  automatedCalls: z.object({
    enabled: z.boolean(),
    channels: z.array(Channel),
    minHoursBetweenCalls: z.number().nonnegative(),
    minBalancePence: z.number().int().nonnegative(),
    minDaysOverdue: z.number().int().nonnegative(),
    /** Country calling code the number must carry, without "+" (44 UK, 1 US). */
    callingCode: z.string().regex(/^\d{1,3}$/),
  }),
  ofcomAbandonedCalls: z.object({
    enabled: z.boolean(),
    channels: z.array(Channel),
    abandonedQuietHours: z.number().nonnegative(),
    noRepeatSameDayAfterMachine: z.boolean(),
  }),
  frequency: z.object({
    enabled: z.boolean(),
    maxContacts: z.number().int().positive(),
    periodDays: z.number().positive(),
    /** Which past contacts count, and which new contacts the cap limits. */
    countedChannels: z.array(Channel),
    appliesToChannels: z.array(Channel),
    countedStatuses: z.array(Status),
    /** `debtor`: across all their debts (UK); `debt`: per debt (Reg F 1006.14(b)(2)). */
    scope: z.enum(['debtor', 'debt']),
  }),
  recentConversation: z.object({
    enabled: z.boolean(),
    quietDays: z.number().nonnegative(),
    appliesToChannels: z.array(Channel),
    scope: z.enum(['debtor', 'debt']),
  }),
  dispute: z.object({ enabled: z.boolean() }),
  channelRequests: z.object({
    enabled: z.boolean(),
    /** true: a preferred channel means "only this channel"; false: it is advice only. */
    preferredChannelExclusive: z.boolean(),
  }),
  breathingSpace: z.object({
    enabled: z.boolean(),
    /** Channels on which a contact the debtor asked for may still go out during a moratorium. */
    debtorRequestChannels: z.array(Channel),
  }),
  vulnerability: z.object({ enabled: z.boolean() }),
  mentalCapacity: z.object({ enabled: z.boolean() }),
  artificialVoiceConsent: z.object({ enabled: z.boolean(), channels: z.array(Channel) }),
  contactDetails: z.object({ enabled: z.boolean() }),
  purposeChannels: z.object({ enabled: z.boolean() }),
});
export type RuleSetConfig = z.infer<typeof RuleSetConfigSchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type RuleSetOverrides = DeepPartial<RuleSetConfig>;

/** Objects merge key by key; arrays and scalars replace. */
export function mergeRuleSet(base: RuleSetConfig, overrides: RuleSetOverrides | undefined): RuleSetConfig {
  if (!overrides) return base;
  return RuleSetConfigSchema.parse(deepMerge(base, overrides));
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks operator-supplied overrides before they are stored: merged over every profile, the result
 * must still be a valid rule set. Returns the problems as `path: message` strings.
 */
export function validateRuleSetOverrides(overrides: unknown, profiles: readonly RuleSetConfig[]): string[] {
  if (!isPlainObject(overrides)) return ['(root): expected an object'];
  const problems = new Set<string>();
  for (const base of profiles) {
    const result = RuleSetConfigSchema.safeParse(deepMerge(base, overrides));
    if (!result.success) for (const issue of result.error.issues) problems.add(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return [...problems];
}
