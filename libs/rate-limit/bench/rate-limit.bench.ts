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

const TENANTS = 1000;
const BIG = 1_000_000_000;

export interface RateLimitBenchOptions {
  redisUrl: string;
  rounds: number;
  roundMs: number;
  concurrencies: number[];
  log: (line: string) => void;
  /** Redis key prefix of both limiters (deleted at the end). */
  prefix?: string;
}

export interface RateLimitBenchResult {
  concurrency: number;
  ours: number;
  baseline: number;
  ratio: number;
}

interface Round {
  /** Checks per second. */
  rate: number;
  /** CPU of this process per check, in microseconds. */
  nodeUs: number;
  /** CPU of the Redis server per check (its whole process: other clients of a shared Redis count too), in microseconds. */
  redisUs: number;
  /** Script calls (EVAL/EVALSHA) per check, from Redis's commandstats: how many checks share one round trip. */
  calls: number;
}

async function redisStats(redis: Redis): Promise<{ cpuUs: number; calls: number }> {
  const [cpu, stats] = await Promise.all([redis.info('cpu'), redis.info('commandstats')]);
  const num = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const cpuUs = (num(cpu, /used_cpu_user:([\d.]+)/) + num(cpu, /used_cpu_sys:([\d.]+)/)) * 1e6;
  const calls = num(stats, /cmdstat_evalsha:calls=(\d+)/) + num(stats, /cmdstat_eval:calls=(\d+)/);
  return { cpuUs, calls };
}

async function throughput(redis: Redis, roundMs: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Round> {
  let done = 0;
  const before = await redisStats(redis);
  const cpu = process.cpuUsage();
  const deadline = performance.now() + roundMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let i = lane; performance.now() < deadline; i += concurrency) {
        await op(i);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = await redisStats(redis);
  return {
    rate: done / seconds,
    nodeUs: (used.user + used.system) / done,
    redisUs: (after.cpuUs - before.cpuUs) / done,
    calls: (after.calls - before.calls) / done,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the comparison and prints it line by line; the CLI below and the CI smoke test (tiny rounds) call it. */
export async function runRateLimitBench(options: RateLimitBenchOptions): Promise<RateLimitBenchResult[]> {
  const { redisUrl, rounds, roundMs, log } = options;
  const prefix = options.prefix ?? `bench-rl-${process.pid}-${Date.now()}`;
  const ours = new Redis(redisUrl, { enableOfflineQueue: true });
  const theirs = new Redis(redisUrl, { enableOfflineQueue: true });
  const results: RateLimitBenchResult[] = [];
  const limiter = new RateLimiter(ours, { prefix });
  const baseline = new RateLimiterRedis({ storeClient: theirs, keyPrefix: `${prefix}-rlf`, points: BIG, duration: 3600 });
  // Realistic per-tenant limits, spread over many tenants (a sliding hour holds at most ~1000 entries each).
  const tenants: TenantLimits[] = Array.from({ length: TENANTS }, (_, i) => ({
    tenantId: `t${i}`,
    limits: { monthly: { emails: BIG }, daily: { emails: BIG, total_cost_pence: BIG }, hourly: { emails: BIG } },
  }));
  const oursOp = (i: number) => limiter.consume(tenants[i % TENANTS] as TenantLimits, 'email', { costPence: 1 });
  const theirsOp = (i: number) => baseline.consume(`t${i % TENANTS}`);
  for (const op of [oursOp, theirsOp]) await throughput(ours, roundMs, 16, op); // warm up: scripts loaded, JIT

  log(
    `rate-limit bench — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}, redis ${redisUrl}`,
  );
  log(`${rounds} alternating rounds of ${roundMs} ms each; ${TENANTS} tenants; medians. Both sides share the machine with`);
  log('whatever else runs: the ratio is the figure to read, the CPU per check the least noisy one.\n');
  const show = (rounds: Round[]) => {
    const m = (f: (r: Round) => number) => median(rounds.map(f));
    return `${m((r) => r.rate)
      .toFixed(0)
      .padStart(
        7,
      )}/s (node ${m((r) => r.nodeUs).toFixed(1)} us, redis ${m((r) => r.redisUs).toFixed(1)} us, ${m((r) => r.calls).toFixed(2)} script calls per check)`;
  };
  for (const concurrency of options.concurrencies) {
    const a: Round[] = [];
    const b: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await throughput(ours, roundMs, concurrency, oursOp));
      b.push(await throughput(ours, roundMs, concurrency, theirsOp));
    }
    const ratio = median(a.map((x) => x.rate)) / median(b.map((x) => x.rate));
    results.push({ concurrency, ours: median(a.map((x) => x.rate)), baseline: median(b.map((x) => x.rate)), ratio });
    log(`concurrency ${String(concurrency).padStart(2)}: ratio ${ratio.toFixed(2)}x (goal >= 1.0x: ${ratio >= 1 ? 'met' : 'NOT met'})`);
    log(`  recoup 4-window check          ${show(a)}`);
    log(`  rate-limiter-flexible 1 window ${show(b)}`);
  }
  let cursor = '0';
  do {
    const [next, keys] = await ours.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await ours.del(...keys);
  } while (cursor !== '0');
  ours.disconnect();
  theirs.disconnect();
  return results;
}

if (require.main === module) {
  runRateLimitBench({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    rounds: Number(process.env.BENCH_ROUNDS ?? 7),
    roundMs: Number(process.env.BENCH_ROUND_MS ?? 1000),
    concurrencies: [1, 16, 64],
    log: (line) => console.log(line),
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
