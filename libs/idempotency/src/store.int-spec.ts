import { Redis } from 'ioredis';
import { deletePrefix, testQueuePrefix, testRedisUrl, waitFor } from '@recoup/testing';
import { IdempotencyStore } from './store';

describe('IdempotencyStore on real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let now: number;
  let store: IdempotencyStore;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false });
    await redis.connect();
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    now = Date.parse('2026-11-21T12:00:00Z');
    store = new IdempotencyStore(redis, { prefix, leaseMs: 30_000, clock: () => now });
  });
  afterEach(() => deletePrefix(redis, prefix));
  afterAll(() => redis.quit());

  it('runs the handler once for 50 concurrent deliveries of one event; all get the same outcome', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const deliveries = Array.from({ length: 50 }, () =>
      store.run('stripe', 'evt_1', async () => {
        runs++;
        await gate;
        return { status: 200, body: '{"received":true}', contentType: 'application/json' };
      }),
    );
    await waitFor(() => runs === 1, { what: 'the first delivery to start' });
    release();
    const results = await Promise.all(deliveries);
    expect(runs).toBe(1);
    expect(results.filter((r) => 'outcome' in r && !r.replayed)).toHaveLength(1);
    for (const r of results) expect(r).toMatchObject({ outcome: { status: 200, body: '{"received":true}' } });
  });

  it('lets a later delivery take over after the lease of a crashed worker, and refuses the late finish', async () => {
    const first = await store.begin('stripe', 'evt_crash');
    expect(first).toMatchObject({ kind: 'acquired', takeover: false });
    now += 29_999;
    expect((await store.begin('stripe', 'evt_crash')).kind).toBe('processing');
    now += 2;
    const second = await store.begin('stripe', 'evt_crash');
    expect(second).toMatchObject({ kind: 'acquired', takeover: true });
    // The "dead" worker wakes up and finishes late: its outcome must not overwrite the new one.
    const late = await store.complete('stripe', 'evt_crash', (first as { token: string }).token, { status: 200, body: 'stale' });
    expect(late).toBe(false);
    expect(await store.complete('stripe', 'evt_crash', (second as { token: string }).token, { status: 200, body: 'fresh' })).toBe(true);
    expect(await store.begin('stripe', 'evt_crash')).toEqual({ kind: 'completed', outcome: { status: 200, body: 'fresh' } });
  });

  it('a holder can extend its lease while it works', async () => {
    const first = (await store.begin('twilio', 'SM1')) as { token: string };
    now += 25_000;
    expect(await store.extend('twilio', 'SM1', first.token)).toBe(true);
    now += 25_000;
    expect((await store.begin('twilio', 'SM1')).kind).toBe('processing');
    expect(await store.extend('twilio', 'SM1', 'not-the-holder')).toBe(false);
  });

  it('keeps completed records 2 days and failed ones 1 hour', async () => {
    const a = (await store.begin('stripe', 'evt_ok')) as { token: string };
    await store.complete('stripe', 'evt_ok', a.token, { status: 200, body: '' });
    const b = (await store.begin('stripe', 'evt_bad')) as { token: string };
    await store.fail('stripe', 'evt_bad', b.token, { status: 500, body: 'boom' });
    const okTtl = await redis.pttl(store.key('stripe', 'evt_ok'));
    const badTtl = await redis.pttl(store.key('stripe', 'evt_bad'));
    expect(okTtl).toBeGreaterThan(2 * 24 * 3_600_000 - 60_000);
    expect(okTtl).toBeLessThanOrEqual(2 * 24 * 3_600_000);
    expect(badTtl).toBeGreaterThan(3_600_000 - 60_000);
    expect(badTtl).toBeLessThanOrEqual(3_600_000);
    expect(await store.begin('stripe', 'evt_bad')).toEqual({ kind: 'failed', outcome: { status: 500, body: 'boom' } });
  });

  it('lets a redelivery retry once a failed record has expired', async () => {
    // A TTL long enough that a loaded machine cannot reach it between the two calls; expiry is then brought forward.
    const quick = new IdempotencyStore(redis, { prefix, failedTtlMs: 60_000 });
    let runs = 0;
    await expect(
      quick.run('stripe', 'evt_flaky', async () => {
        runs++;
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(await quick.run('stripe', 'evt_flaky', async () => ({ status: 200, body: 'second' }))).toMatchObject({
      replayed: true,
      outcome: { status: 500 },
    });
    await redis.pexpire(quick.key('stripe', 'evt_flaky'), 1);
    await waitFor(async () => (await redis.exists(quick.key('stripe', 'evt_flaky'))) === 0, { what: 'the failed record to expire' });
    expect(await quick.run('stripe', 'evt_flaky', async () => ({ status: 200, body: 'third' }))).toEqual({
      replayed: false,
      outcome: { status: 200, body: 'third' },
    });
    expect(runs).toBe(1);
  });

  it('refuses the same key with a different fingerprint', async () => {
    await store.begin('client:t1', 'key-1', 'fp-a');
    expect(await store.begin('client:t1', 'key-1', 'fp-b')).toEqual({ kind: 'mismatch' });
    expect((await store.begin('client:t1', 'key-1', 'fp-a')).kind).toBe('processing');
  });
});
