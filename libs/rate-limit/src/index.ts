export {
  ACTIONS,
  COUNTERS,
  DEFAULT_ESTIMATED_COST_PENCE,
  DEFAULT_TIER_LIMITS,
  LimitOverrides,
  TierLimits,
  WINDOWS,
  gbpToPence,
  resolveLimits,
} from './limits';
export type { Action, Counter, Tier, Window } from './limits';
export { RateLimiter } from './limiter';
export type { RateDecision, RateLimiterOptions, SettleResult, TenantLimits, WindowState } from './limiter';
export { apiRateLimit } from './middleware';
export type { ApiRateLimitOptions } from './middleware';
export { TenantLimitsDirectory } from './tenant-limits';
export { CalendarWindows } from './windows';
