import net from 'node:net';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { deletePrefix, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { RateLimiter, type TenantLimits } from './limiter';
import { resolveLimits, type TierLimits } from './limits';

const at = (iso: string) => new Date(iso).getTime();
const tenant = (limits: Partial<TierLimits>, tenantId = 'tenant-a'): TenantLimits => ({
  tenantId,
  limits: { monthly: {}, daily: {}, hourly: {}, ...limits },
});

describe('RateLimiter on real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let now: number;
  let limiter: RateLimiter;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    await redis.connect();
  });
  beforeEach(async () => {
    prefix = testQueuePrefix();
    now = at('2026-11-21T12:00:00Z');
    limiter = new RateLimiter(redis, { prefix, clock: () => now });
  });
  afterEach(async () => {
    await deletePrefix(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('admits exactly 50 of 200 concurrent consumes against a daily limit of 50', async () => {
    const t = tenant({ daily: { emails: 50 } });
    const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.consume(t, 'email')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    expect((await limiter.peek(t, 'email')).windows[0]).toMatchObject({ used: 50, remaining: 0 });
  });

  it('admits exactly 50 of 200 concurrent consumes against a sliding hourly limit of 50', async () => {
    const t = tenant({ hourly: { api_calls: 50 } });
    const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.consume(t, 'api_call')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it('is all-or-nothing across windows: a denial by one window consumes none', async () => {
    const t = tenant({ monthly: { emails: 5 }, daily: { emails: 3 }, hourly: { emails: 10 } });
    for (let i = 0; i < 3; i++) expect((await limiter.consume(t, 'email')).allowed).toBe(true);
    const denied = await limiter.consume(t, 'email');
    expect(denied.allowed).toBe(false);
    expect(denied.denied).toMatchObject({ counter: 'emails', window: 'daily', limit: 3, used: 3 });
    const state = await limiter.peek(t, 'email');
    expect(state.windows.map((w) => [w.window, w.used])).toEqual([
      ['monthly', 3],
      ['daily', 3],
      ['hourly', 3],
    ]);
  });

  it('denies an action whose cost would exceed the daily budget without consuming its count', async () => {
    const t = tenant({ daily: { ai_calls: 10, total_cost_pence: 300 } });
    expect((await limiter.reserve(t, 'ai_call', { estimatedCostPence: 170 })).allowed).toBe(true);
    const second = await limiter.reserve(t, 'ai_call', { estimatedCostPence: 170 });
    expect(second.allowed).toBe(false);
    expect(second.denied).toMatchObject({ counter: 'total_cost_pence', window: 'daily', limit: 300, used: 170 });
    expect((await limiter.peek(t, 'ai_call')).windows.find((w) => w.counter === 'ai_calls')!.used).toBe(1);
  });

  it('follows the product tier table: starter has no SMS and no AI calls, growth has both', async () => {
    const starter = { tenantId: 't-starter', limits: resolveLimits('starter') };
    const sms = await limiter.consume(starter, 'sms', { costPence: 4 });
    expect(sms).toMatchObject({ allowed: false, denied: { counter: 'sms', limit: 0 } });
    expect(sms.retryAfterSeconds).toBeUndefined();
    expect((await limiter.reserve(starter, 'ai_call')).allowed).toBe(false);
    const growth = { tenantId: 't-growth', limits: resolveLimits('growth') };
    const call = await limiter.reserve(growth, 'ai_call');
    expect(call.allowed).toBe(true);
    expect(call.windows.map((w) => `${w.counter}/${w.window}=${w.used}/${w.limit}`)).toEqual([
      'ai_calls/monthly=1/10',
      'ai_calls/daily=1/2',
      'total_cost_pence/daily=170/2500',
    ]);
  });

  describe('reserve and settle', () => {
    const t = tenant({ daily: { ai_calls: 100, total_cost_pence: 10_000 } });
    const costUsed = async () =>
      (await limiter.peek(t, 'ai_call', { costPence: 1 })).windows.find((w) => w.counter === 'total_cost_pence')!.used;

    it('refunds the difference, charges the extra, and settling twice changes nothing', async () => {
      const a = await limiter.reserve(t, 'ai_call', { estimatedCostPence: 170 });
      const b = await limiter.reserve(t, 'ai_call', { estimatedCostPence: 170 });
      expect(await costUsed()).toBe(340);
      expect(await limiter.settle(t.tenantId, a.reservationId!, 130)).toEqual({ applied: true, reservedPence: 170, actualPence: 130 });
      expect(await costUsed()).toBe(300);
      expect(await limiter.settle(t.tenantId, b.reservationId!, 245)).toMatchObject({ applied: true });
      expect(await costUsed()).toBe(375);
      expect(await limiter.settle(t.tenantId, a.reservationId!, 999)).toEqual({ applied: false, reservedPence: 170, actualPence: 130 });
      expect(await costUsed()).toBe(375);
    });

    it('keeps exact pence over many small settlements (no float drift)', async () => {
      const reservations = await Promise.all(Array.from({ length: 100 }, () => limiter.reserve(t, 'ai_call', { estimatedCostPence: 3 })));
      await Promise.all(reservations.map((r, i) => limiter.settle(t.tenantId, r.reservationId!, i % 2 === 0 ? 1 : 7)));
      expect(await costUsed()).toBe(50 * 1 + 50 * 7);
    });

    it('charges a late settlement to the day the reservation was made', async () => {
      now = at('2026-11-21T23:58:00Z');
      const r = await limiter.reserve(t, 'ai_call', { estimatedCostPence: 170 });
      now = at('2026-11-22T00:01:00Z');
      await limiter.settle(t.tenantId, r.reservationId!, 200);
      expect(await costUsed()).toBe(0);
      now = at('2026-11-21T23:59:00Z');
      expect(await costUsed()).toBe(200);
    });

    it('refuses to settle an unknown reservation or a negative cost', async () => {
      await expect(limiter.settle(t.tenantId, 'nope', 10)).rejects.toThrow(/unknown reservation/);
      await expect(limiter.settle(t.tenantId, 'nope', -1)).rejects.toThrow(RangeError);
    });
  });

  describe('calendar windows with an injected clock', () => {
    it('resets the daily count at London midnight (23:00 UTC in summer)', async () => {
      const t = tenant({ daily: { emails: 2 } });
      now = at('2026-07-15T22:59:00Z');
      await limiter.consume(t, 'email');
      const last = await limiter.consume(t, 'email');
      expect(last.windows[0]!.resetAt.toISOString()).toBe('2026-07-15T23:00:00.000Z');
      expect((await limiter.consume(t, 'email')).allowed).toBe(false);
      now = at('2026-07-15T23:00:00Z');
      expect((await limiter.consume(t, 'email')).allowed).toBe(true);
    });

    it('resets the monthly count on the 1st at local midnight, and across the year end', async () => {
      const t = tenant({ monthly: { collections: 1 } });
      now = at('2026-06-30T22:30:00Z');
      expect((await limiter.consume(t, 'collection')).allowed).toBe(true);
      expect((await limiter.consume(t, 'collection')).denied!.resetAt.toISOString()).toBe('2026-06-30T23:00:00.000Z');
      now = at('2026-06-30T23:00:00Z');
      expect((await limiter.consume(t, 'collection')).allowed).toBe(true);
      now = at('2026-12-31T23:59:59Z');
      expect((await limiter.consume(t, 'collection')).allowed).toBe(true);
      expect((await limiter.consume(t, 'collection')).denied!.resetAt.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    });

    it('gives the clock-change days their true length (23 h in March, 25 h in October)', async () => {
      const t = tenant({ daily: { emails: 1 } });
      now = at('2026-03-29T00:30:00Z');
      await limiter.consume(t, 'email');
      expect((await limiter.consume(t, 'email')).denied!.resetAt.toISOString()).toBe('2026-03-29T23:00:00.000Z');
      now = at('2026-10-24T23:30:00Z'); // 00:30 BST on 25 October
      await limiter.consume(t, 'email');
      now = at('2026-10-25T23:30:00Z'); // 23:30 GMT, still 25 October
      const denied = await limiter.consume(t, 'email');
      expect(denied.denied!.resetAt.toISOString()).toBe('2026-10-26T00:00:00.000Z');
    });

    it('slides the hourly window: the previous hour counts in proportion to its overlap with the last 60 minutes', async () => {
      const t = tenant({ hourly: { api_calls: 2 } });
      const hour = at('2026-11-21T10:00:00Z');
      const minute = 60_000;
      now = hour;
      await limiter.consume(t, 'api_call');
      now = hour + 30 * minute;
      await limiter.consume(t, 'api_call');
      now = hour + 59 * minute;
      const denied = await limiter.consume(t, 'api_call');
      expect(denied.allowed).toBe(false);
      expect(denied.denied!.resetAt.toISOString()).toBe('2026-11-21T11:00:00.000Z');
      expect(denied.retryAfterSeconds).toBe(60);
      // 11:00 exactly: the 2 calls of 10:xx weigh fully. 11:01: floor(2 x 59/60) = 1, so one more fits.
      now = hour + 60 * minute;
      expect((await limiter.consume(t, 'api_call')).allowed).toBe(false);
      now = hour + 61 * minute;
      expect((await limiter.consume(t, 'api_call')).allowed).toBe(true);
      now = hour + 70 * minute;
      expect((await limiter.consume(t, 'api_call')).allowed).toBe(false);
      // 11:31: floor(2 x 0.48) = 0 of the old hour, plus 1 this hour: room for one more, no fixed-window burst of 2 at 11:00.
      now = hour + 91 * minute;
      const later = await limiter.consume(t, 'api_call');
      expect(later.allowed).toBe(true);
      expect(later.windows[0]).toMatchObject({ used: 2, remaining: 0 });
    });
  });

  describe('80% warnings', () => {
    it('warns once, on the request that crosses 80%', async () => {
      const t = tenant({ daily: { emails: 10 } });
      const warnings: number[] = [];
      for (let i = 1; i <= 10; i++) if ((await limiter.consume(t, 'email')).warnings.length > 0) warnings.push(i);
      expect(warnings).toEqual([8]);
    });

    it('warns exactly once when many requests cross together', async () => {
      const t = tenant({ monthly: { emails: 100 } });
      const decisions = await Promise.all(Array.from({ length: 150 }, () => limiter.consume(t, 'email')));
      expect(decisions.flatMap((d) => d.warnings)).toHaveLength(1);
      expect(decisions.flatMap((d) => d.warnings)[0]).toMatchObject({ counter: 'emails', window: 'monthly', used: 80 });
    });

    it('warns again after a refund takes the budget back under 80% and it crosses again', async () => {
      const t = tenant({ daily: { ai_calls: 100, total_cost_pence: 1000 } });
      const a = await limiter.reserve(t, 'ai_call', { estimatedCostPence: 850 });
      expect(a.warnings.map((w) => w.counter)).toEqual(['total_cost_pence']);
      await limiter.settle(t.tenantId, a.reservationId!, 500);
      expect((await limiter.reserve(t, 'ai_call', { estimatedCostPence: 100 })).warnings).toHaveLength(0);
      expect((await limiter.reserve(t, 'ai_call', { estimatedCostPence: 250 })).warnings).toHaveLength(1);
    });
  });

  it('reloads its script after Redis forgets it (SCRIPT FLUSH, restart)', async () => {
    const t = tenant({ daily: { emails: 5 } });
    await limiter.consume(t, 'email');
    await redis.script('FLUSH');
    expect((await limiter.consume(t, 'email')).windows[0]!.used).toBe(2);
  });

  describe('when Redis cannot answer', () => {
    it('fails open for api calls and closed for costly actions, counting it in a metric', async () => {
      const down = new Redis('redis://127.0.0.1:1', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      down.on('error', () => undefined);
      const registry = new Registry();
      const degraded = new RateLimiter(down, { prefix, registry });
      const t = tenant({ hourly: { api_calls: 10 }, daily: { ai_calls: 1 } });
      expect(await degraded.consume(t, 'api_call')).toMatchObject({ allowed: true, degraded: 'fail-open' });
      expect(await degraded.reserve(t, 'ai_call')).toMatchObject({ allowed: false, degraded: 'fail-closed', retryAfterSeconds: 30 });
      const metrics = await registry.metrics();
      expect(metrics).toContain('rate_limit_degraded_total{action="api_call",mode="fail-open"} 1');
      expect(metrics).toContain('rate_limit_degraded_total{action="ai_call",mode="fail-closed"} 1');
      down.disconnect();
    });

    it('answers within its timeout when Redis accepts the connection but never replies', async () => {
      const sockets: net.Socket[] = [];
      const blackhole = net.createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
      await new Promise((r) => blackhole.once('listening', r));
      const { port } = blackhole.address() as net.AddressInfo;
      const hung = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      hung.on('error', () => undefined);
      const slow = new RateLimiter(hung, { prefix, timeoutMs: 100, failOpen: { sms: true } });
      const t = tenant({ hourly: { sms: 10 } });
      expect(await slow.consume(t, 'sms', { costPence: 4 })).toMatchObject({ allowed: true, degraded: 'fail-open' });
      hung.disconnect();
      for (const s of sockets) s.destroy();
      blackhole.close();
    });
  });
});
