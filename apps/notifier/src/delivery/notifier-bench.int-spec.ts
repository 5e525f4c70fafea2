import { formatNotifierBench, runNotifierBench } from '../../bench/notifier-bench';

/**
 * The smoke run of npm run bench:notifier, so the benchmark never rots: small counts and no thresholds (speed is the
 * benchmark's business, never a test's). What it does check is that every job of every phase went the full path:
 * one attempt `sent` and one outbox row per message, none failed, and a report with its figures.
 */
describe('notifier benchmark (smoke)', () => {
  it('runs the baseline and the full path and every message is sent exactly once', async () => {
    const result = await runNotifierBench({
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      messages: 40,
      rate: 40,
      seconds: 1,
      concurrency: 8,
      warmUp: 10,
    });
    expect(result.expectedMessages).toBe(90);
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ attemptsSent: 90, outboxRows: 90 });
    expect(result.notifierLatency.p99).toBeGreaterThan(0);
    const report = formatNotifierBench(result);
    expect(report).toMatch(/baseline \(bare BullMQ no-op worker, same run\): [\d.]+ jobs\/s/);
    expect(report).toMatch(/notifier full path: +[\d.]+ msgs\/s = [\d.]+% of the baseline/);
  }, 120_000);
});
