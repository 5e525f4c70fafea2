/**
 * npm run bench:rate-limit
 *
 * Checks per second of our rate-limit check (3 email windows: monthly, daily, sliding hourly,
 * plus the daily cost budget: 4 windows, all-or-nothing, one EVALSHA) against the named
 * baseline: rate-limiter-flexible's RateLimiterRedis consume (one fixed window, one EVAL).
 * Same Redis, same process, same concurrency, alternating rounds; prints the ratio.
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimiter, type TenantLimits } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const TENANTS = 1000;
const BIG = 1_000_000_000;

async function throughput(concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ROUND_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let i = lane; performance.now() < deadline; i += concurrency) {
        await op(i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const prefix = `bench-rl-${process.pid}`;
  const ours = new Redis(REDIS_URL, { enableOfflineQueue: true });
  const theirs = new Redis(REDIS_URL, { enableOfflineQueue: true });
  const limiter = new RateLimiter(ours, { prefix });
  const baseline = new RateLimiterRedis({ storeClient: theirs, keyPrefix: `${prefix}-rlf`, points: BIG, duration: 3600 });
  // Realistic per-tenant limits, spread over many tenants (a sliding hour holds at most ~1000 entries each).
  const tenants: TenantLimits[] = Array.from({ length: TENANTS }, (_, i) => ({
    tenantId: `t${i}`,
    limits: { monthly: { emails: BIG }, daily: { emails: BIG, total_cost_pence: BIG }, hourly: { emails: BIG } },
  }));
  const oursOp = (i: number) => limiter.consume(tenants[i % TENANTS] as TenantLimits, 'email', { costPence: 1 });
  const theirsOp = (i: number) => baseline.consume(`t${i % TENANTS}`);
  for (const op of [oursOp, theirsOp]) await throughput(16, op); // warm up: scripts loaded, JIT

  console.log(
    `rate-limit bench — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, redis ${REDIS_URL}`,
  );
  console.log(`${ROUNDS} alternating rounds of ${ROUND_MS} ms each; ${TENANTS} tenants; median checks/s\n`);
  for (const concurrency of [1, 16, 64]) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(await throughput(concurrency, oursOp));
      b.push(await throughput(concurrency, theirsOp));
    }
    const ratio = median(a) / median(b);
    console.log(
      `concurrency ${String(concurrency).padStart(2)}: recoup 4-window check ${median(a).toFixed(0).padStart(7)}/s   ` +
        `rate-limiter-flexible 1 window ${median(b).toFixed(0).padStart(7)}/s   ratio ${ratio.toFixed(2)}x`,
    );
  }
  let cursor = '0';
  do {
    const [next, keys] = await ours.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await ours.del(...keys);
  } while (cursor !== '0');
  ours.disconnect();
  theirs.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
