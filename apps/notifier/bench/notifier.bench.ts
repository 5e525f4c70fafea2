/**
 * npm run bench:notifier — see notifier-bench.ts for what is measured.
 * Env: BENCH_MESSAGES (3000), BENCH_RATE (200), BENCH_SECONDS (10), BENCH_CONCURRENCY (64), BENCH_WARMUP (300),
 * BENCH_PROFILE=<file.cpuprofile> for a CPU profile of the notifier's throughput phase.
 * Goals (issue 17): >= 1,500 msgs/s and >= 25% of the bare worker; <= 1 ms CPU per message; p99 < 50 ms at 200 msgs/s.
 */
import { formatNotifierBench, runNotifierBench } from './notifier-bench';

runNotifierBench({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  messages: Number(process.env.BENCH_MESSAGES ?? 3000),
  rate: Number(process.env.BENCH_RATE ?? 200),
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 64),
  warmUp: Number(process.env.BENCH_WARMUP ?? 300),
  profilePath: process.env.BENCH_PROFILE || undefined,
}).then(
  (result) => console.log(formatNotifierBench(result)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
