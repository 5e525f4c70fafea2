import { testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { runRateLimitBench } from '../bench/rate-limit.bench';

// A smoke run of `npm run bench:rate-limit` (tiny rounds, no thresholds): the benchmark keeps working as the limiter changes.
describe('bench:rate-limit smoke', () => {
  it('measures both limiters at each concurrency and prints a ratio', async () => {
    const lines: string[] = [];
    const results = await runRateLimitBench({
      redisUrl: testRedisUrl(),
      rounds: 1,
      roundMs: 50,
      concurrencies: [1, 8],
      prefix: `${testQueuePrefix()}-bench-rl`,
      log: (line) => lines.push(line),
    });
    expect(results.map((r) => r.concurrency)).toEqual([1, 8]);
    for (const r of results) {
      expect(r.ours).toBeGreaterThan(0);
      expect(r.baseline).toBeGreaterThan(0);
    }
    expect(lines.filter((l) => /^concurrency +\d+: ratio \d+\.\d+x/.test(l))).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/script calls per check/);
  });
});
