import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Counter as PromCounter, type Registry } from 'prom-client';
import type { Logger } from '@recoup/observability';
import { ACTIONS, DEFAULT_ESTIMATED_COST_PENCE, WINDOWS, type Action, type Counter, type TierLimits, type Window } from './limits';
import { RedisScript } from '@recoup/queue';
import { SETTLE_SCRIPT } from './scripts';
import { CheckBatcher, type CheckReply } from './batcher';
import { CalendarWindows, HOUR_MS, previousHourWeight, windowSlot } from './windows';

export interface WindowState {
  counter: Counter;
  window: Window;
  limit: number;
  /** Count (or pence, for total_cost_pence) used in this window, including this request when allowed. */
  used: number;
  remaining: number;
  resetAt: Date;
}

export interface RateDecision {
  allowed: boolean;
  action: Action;
  /** The first window that said no. */
  denied?: WindowState;
  windows: WindowState[];
  /** Windows this request took across 80% of their limit: tell the account holder (once per crossing). */
  warnings: WindowState[];
  retryAfterSeconds?: number;
  /** Set when Redis could not be asked: the answer is the configured failure mode, not a count. */
  degraded?: 'fail-open' | 'fail-closed';
  reservationId?: string;
}

export interface SettleResult {
  /** False when this reservation was already settled: nothing changed. */
  applied: boolean;
  reservedPence: number;
  actualPence: number;
}

export interface TenantLimits {
  tenantId: string;
  limits: TierLimits;
}

export interface RateLimiterOptions {
  prefix?: string;
  timezone?: string;
  clock?: () => number;
  /** Give up on Redis after this long and answer with the failure mode. */
  timeoutMs?: number;
  /** What to answer per action when Redis is unreachable. Default: api_call open, costly actions closed. */
  failOpen?: Partial<Record<Action, boolean>>;
  /** Most checks coalesced into one EVALSHA (checks issued in the same event-loop turn); default 32. */
  maxBatch?: number;
  logger?: Logger;
  registry?: Registry;
}

interface Entry {
  counter: Counter;
  window: Window;
  limit: number;
  amount: number;
  resetMs: number;
}

/**
 * What a check of one action sends for a tenant's limits in the current periods: its windows and the static part of
 * its packed script argument. Cached per limits object, action and amounts until a period rolls.
 */
interface CheckPlan {
  entries: Entry[];
  /** `w field previous limit amount is_cost` per entry, appended to the per-call head. */
  spec: Array<string | number>;
  /** The spec joined: part of the plan's identity within a batch. */
  specId: string;
  keepUntilMs: number;
  validFromMs: number;
  validUntilMs: number;
}

const settleScript = new RedisScript(SETTLE_SCRIPT);
/** Counters outlive their period by this long, so a settle after midnight can still land. */
const KEEP_GRACE_MS = 2 * 24 * HOUR_MS;
const WINDOW_CODE: Record<Window, string> = { monthly: 'm', daily: 'd', hourly: 'h' };
const RESERVATION_TTL_MS = 3 * 24 * HOUR_MS;

/**
 * Tier limits on Redis. One check is one EVALSHA that checks and consumes every window of the
 * action and its cost, all-or-nothing. Costly actions reserve an estimate and settle the actual.
 */
export class RateLimiter {
  private readonly prefix: string;
  private readonly calendar: CalendarWindows;
  private readonly clock: () => number;
  private readonly timeoutMs: number;
  private readonly failOpen: Record<Action, boolean>;
  private readonly degradedTotal?: PromCounter<'action' | 'mode'>;
  private readonly decisionsTotal?: PromCounter<'action' | 'allowed'>;
  private lastDegradedLog = 0;
  private readonly batcher: CheckBatcher;
  private readonly plans = new WeakMap<TierLimits, Map<string, CheckPlan>>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimiterOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rl';
    this.calendar = new CalendarWindows(options.timezone ?? 'Europe/London');
    this.clock = options.clock ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 500;
    this.batcher = new CheckBatcher(redis, options.maxBatch ?? 32, this.timeoutMs);
    const failOpen = Object.fromEntries(Object.entries(ACTIONS).map(([a, d]) => [a, !d.costly])) as Record<Action, boolean>;
    this.failOpen = { ...failOpen, ...options.failOpen };
    if (options.registry) {
      this.degradedTotal = new PromCounter({
        name: 'rate_limit_degraded_total',
        help: 'Rate-limit checks answered without Redis, by failure mode',
        labelNames: ['action', 'mode'] as const,
        registers: [options.registry],
      });
      this.decisionsTotal = new PromCounter({
        name: 'rate_limit_decisions_total',
        help: 'Rate-limit decisions by action',
        labelNames: ['action', 'allowed'] as const,
        registers: [options.registry],
      });
    }
  }

  /** The limiter's clock (injected in tests), in epoch ms. */
  now(): number {
    return this.clock();
  }

  /** Checks and consumes `count` of the action (and `costPence` of the daily/monthly budget). */
  async consume(
    tenant: TenantLimits,
    action: Action,
    opts: { count?: number; costPence?: number; dryRun?: boolean } = {},
  ): Promise<RateDecision> {
    return this.run(tenant, action, opts.count ?? 1, opts.costPence ?? 0, opts.dryRun ?? false, undefined);
  }

  /** What a consume would answer now, without consuming. */
  async peek(tenant: TenantLimits, action: Action, opts: { count?: number; costPence?: number } = {}): Promise<RateDecision> {
    return this.run(tenant, action, opts.count ?? 1, opts.costPence ?? 0, true, undefined);
  }

  /**
   * Consumes the action and reserves its estimated cost before a costly action (an AI call);
   * call settle() with the actual cost afterwards.
   */
  async reserve(
    tenant: TenantLimits,
    action: Action,
    opts: { estimatedCostPence?: number; reservationId?: string } = {},
  ): Promise<RateDecision> {
    const cost = opts.estimatedCostPence ?? DEFAULT_ESTIMATED_COST_PENCE[action];
    return this.run(tenant, action, 1, cost, false, opts.reservationId ?? randomUUID());
  }

  /** Charges the difference between the actual and the reserved cost (refund or extra). Idempotent. */
  async settle(tenantId: string, reservationId: string, actualCostPence: number): Promise<SettleResult> {
    if (!Number.isSafeInteger(actualCostPence) || actualCostPence < 0)
      throw new RangeError('actualCostPence must be a non-negative integer');
    const resKey = this.reservationKey(tenantId, reservationId);
    const [applied, reserved, actual] = (await settleScript.run(
      this.redis,
      [resKey, this.key(tenantId)],
      [actualCostPence, RESERVATION_TTL_MS],
    )) as number[];
    if (applied === -1) throw new Error(`unknown reservation ${reservationId}`);
    return { applied: applied === 1, reservedPence: reserved ?? 0, actualPence: actual ?? 0 };
  }

  private key(tenantId: string): string {
    // The hash tag keeps a tenant's counters and reservations in one cluster slot.
    return `${this.prefix}:{${tenantId}}`;
  }

  private reservationKey(tenantId: string, id: string): string {
    return `${this.prefix}:{${tenantId}}:res:${id}`;
  }

  /** The check's plan for these limits now: built once per limits object, action, amounts and period. */
  private plan(limits: TierLimits, action: Action, count: number, cost: number, nowMs: number): CheckPlan {
    let byAction = this.plans.get(limits);
    if (!byAction) {
      byAction = new Map();
      this.plans.set(limits, byAction);
    }
    const cacheKey = `${action} ${count} ${cost}`;
    const cached = byAction.get(cacheKey);
    if (cached && nowMs >= cached.validFromMs && nowMs < cached.validUntilMs) return cached;
    const built = this.buildPlan(limits, action, count, cost, nowMs);
    // Reservations may carry any estimate: keep the per-limits map small.
    if (byAction.size >= 64) byAction.clear();
    byAction.set(cacheKey, built);
    return built;
  }

  private buildPlan(limits: TierLimits, action: Action, count: number, cost: number, nowMs: number): CheckPlan {
    const counter = ACTIONS[action].counter;
    const entries: Entry[] = [];
    const spec: Array<string | number> = [];
    let keepUntilMs = nowMs;
    let validFromMs = -Infinity;
    let validUntilMs = Infinity;
    const add = (c: Counter, window: Window, limit: number, amount: number, isCost: boolean) => {
      const slot = windowSlot(window, this.calendar, nowMs);
      entries.push({ counter: c, window, limit, amount, resetMs: slot.resetMs });
      const previous = slot.previousTag ? `${c}:${slot.previousTag}` : '-';
      spec.push(WINDOW_CODE[window], `${c}:${slot.tag}`, previous, limit, amount, isCost ? 1 : 0);
      keepUntilMs = Math.max(keepUntilMs, slot.keepUntilMs);
      validFromMs = Math.max(validFromMs, slot.startMs);
      validUntilMs = Math.min(validUntilMs, slot.resetMs);
    };
    if (counter) {
      let listed = false;
      for (const window of WINDOWS) {
        const limit = limits[window][counter];
        if (limit !== undefined) {
          listed = true;
          add(counter, window, limit, count, false);
        }
      }
      // A counter the tier does not list anywhere is not part of the plan: 0 allowed.
      if (!listed) add(counter, 'monthly', 0, count, false);
    }
    if (cost > 0) {
      for (const window of WINDOWS) {
        const limit = limits[window].total_cost_pence;
        if (limit !== undefined) add('total_cost_pence', window, limit, cost, true);
      }
    }
    return { entries, spec, specId: spec.join(' '), keepUntilMs, validFromMs, validUntilMs };
  }

  private async run(
    tenant: TenantLimits,
    action: Action,
    count: number,
    cost: number,
    dryRun: boolean,
    reservationId: string | undefined,
  ): Promise<RateDecision> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    if (!Number.isSafeInteger(cost) || cost < 0) throw new RangeError('cost must be a non-negative integer number of pence');
    const nowMs = this.clock();
    const plan = this.plan(tenant.limits, action, count, cost, nowMs);
    const entries = plan.entries;
    if (entries.length === 0) return { allowed: true, action, windows: [], warnings: [], ...(reservationId ? { reservationId } : {}) };
    const keys = [this.key(tenant.tenantId)];
    if (reservationId) keys.push(this.reservationKey(tenant.tenantId, reservationId));
    const keepMs = plan.keepUntilMs - nowMs + KEEP_GRACE_MS;
    const weightPpm = Math.round(previousHourWeight(nowMs) * 1e6);
    const head = [dryRun ? 1 : 0, reservationId ? 1 : 0, cost, keepMs, weightPpm, RESERVATION_TTL_MS];
    const planId = `${head.join(' ')} ${plan.specId}`;
    let reply: CheckReply;
    try {
      reply = await this.batcher.submit(keys, planId, [...head, ...plan.spec], entries.length);
    } catch (err) {
      return this.degraded(action, err);
    }
    const { raw, offset } = reply;
    const deniedIndex = raw[offset] ?? 0;
    const allowed = deniedIndex === 0;
    const consumed = allowed && !dryRun;
    const windows: WindowState[] = [];
    const warnings: WindowState[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      const before = raw[offset + 1 + i] ?? 0;
      const used = consumed ? before + e.amount : before;
      const state = {
        counter: e.counter,
        window: e.window,
        limit: e.limit,
        used,
        remaining: Math.max(e.limit - used, 0),
        resetAt: new Date(e.resetMs),
      };
      windows.push(state);
      // Warn once per crossing of 80%: only the request that takes the count over the line.
      if (consumed && e.amount > 0 && e.limit > 0 && before * 5 < e.limit * 4 && used * 5 >= e.limit * 4) warnings.push(state);
    }
    this.decisionsTotal?.inc({ action, allowed: String(allowed) });
    if (allowed) return { allowed, action, windows, warnings, ...(reservationId && !dryRun ? { reservationId } : {}) };
    const denied = windows[deniedIndex - 1];
    if (!denied) throw new Error(`rate-limit script denied without naming a window (index ${deniedIndex})`);
    // A plan that does not include the action never frees up: no Retry-After to promise.
    const retryAfterSeconds = denied.limit === 0 ? undefined : Math.max(Math.ceil((denied.resetAt.getTime() - nowMs) / 1000), 1);
    return { allowed, action, denied, windows, warnings, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  }

  private degraded(action: Action, err: unknown): RateDecision {
    const open = this.failOpen[action];
    const mode = open ? 'fail-open' : 'fail-closed';
    this.degradedTotal?.inc({ action, mode });
    const now = Date.now();
    if (now - this.lastDegradedLog > 10_000) {
      // At most one line per 10 s: an outage must be visible, not flood the logs.
      this.lastDegradedLog = now;
      this.options.logger?.warn(
        { action, mode, err: { message: err instanceof Error ? err.message : String(err) } },
        'rate limiter cannot reach redis',
      );
    }
    return { allowed: open, action, windows: [], warnings: [], degraded: mode, ...(open ? {} : { retryAfterSeconds: 30 }) };
  }
}
