import { z } from 'zod';

/** Windows a limit can apply to. Monthly and daily are calendar periods; hourly slides (see README). */
export const WINDOWS = ['monthly', 'daily', 'hourly'] as const;
export type Window = (typeof WINDOWS)[number];

/** Counters of the product's tier table. Money is counted in pence (`total_cost_pence`). */
export const COUNTERS = ['collections', 'emails', 'sms', 'ai_calls', 'api_calls', 'total_cost_pence'] as const;
export type Counter = (typeof COUNTERS)[number];

export const WindowLimits = z.partialRecord(z.enum(COUNTERS), z.number().int().min(0));
export const TierLimits = z.object({
  monthly: WindowLimits.default({}),
  daily: WindowLimits.default({}),
  hourly: WindowLimits.default({}),
});
export type TierLimits = z.infer<typeof TierLimits>;
export type Tier = 'starter' | 'growth' | 'pro';

/**
 * The product's tier table, as data. A counter a tier does not list in any window is 0 allowed
 * (starter has no SMS and no AI calls); a window that does not list a counter the tier uses
 * elsewhere does not limit it. `total_cost_gbp` is stored as pence.
 */
export const DEFAULT_TIER_LIMITS: Record<Tier, TierLimits> = {
  starter: {
    monthly: { collections: 10, emails: 500 },
    daily: { emails: 50, total_cost_pence: 500 },
    hourly: { emails: 10, api_calls: 100 },
  },
  growth: {
    monthly: { collections: 50, emails: 2000, sms: 100, ai_calls: 10 },
    daily: { emails: 200, sms: 20, ai_calls: 2, total_cost_pence: 2500 },
    hourly: { emails: 30, sms: 5, api_calls: 500 },
  },
  pro: {
    monthly: { collections: 200, emails: 5000, sms: 500, ai_calls: 50 },
    daily: { emails: 500, sms: 50, ai_calls: 5, total_cost_pence: 10000 },
    hourly: { emails: 50, sms: 10, api_calls: 1000 },
  },
};

/** Per-tenant overrides (the tenant's `limit_overrides` column): any window/counter replaced. */
export const LimitOverrides = z.object({ monthly: WindowLimits, daily: WindowLimits, hourly: WindowLimits }).partial().strict();
export type LimitOverrides = z.infer<typeof LimitOverrides>;

export function resolveLimits(tier: Tier, overrides?: unknown, table: Record<Tier, TierLimits> = DEFAULT_TIER_LIMITS): TierLimits {
  const base = table[tier];
  const parsed = overrides == null ? {} : LimitOverrides.parse(overrides);
  return {
    monthly: { ...base.monthly, ...parsed.monthly },
    daily: { ...base.daily, ...parsed.daily },
    hourly: { ...base.hourly, ...parsed.hourly },
  };
}

/** What each action counts. `costly` actions spend money and fail closed when Redis is unreachable. */
export const ACTIONS = {
  api_call: { counter: 'api_calls', costly: false },
  collection: { counter: 'collections', costly: false },
  email: { counter: 'emails', costly: true },
  sms: { counter: 'sms', costly: true },
  ai_call: { counter: 'ai_calls', costly: true },
  letter: { counter: undefined, costly: true },
} as const satisfies Record<string, { counter: Counter | undefined; costly: boolean }>;
export type Action = keyof typeof ACTIONS;

/**
 * Typical provider costs in pence, used when the caller has no better estimate. An AI call is
 * about GBP 1.70 for at most 2 minutes (Twilio voice + OpenAI Realtime audio).
 */
export const DEFAULT_ESTIMATED_COST_PENCE: Record<Action, number> = {
  api_call: 0,
  collection: 0,
  email: 0,
  sms: 4,
  ai_call: 170,
  letter: 95,
};

/** GBP given as a decimal string or number ("5.00") to integer pence, without float drift. */
export function gbpToPence(gbp: string | number): number {
  const text = typeof gbp === 'number' ? gbp.toFixed(2) : gbp.trim();
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not a GBP amount: ${text}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
