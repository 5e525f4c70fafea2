import { testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { runIdempotencyBench } from '../bench/idempotency.bench';

// A smoke run of `npm run bench:idempotency` (a few webhooks, no thresholds): the benchmark keeps working as the layer changes.
describe('bench:idempotency smoke', () => {
  it('measures the bare handler, first and repeated deliveries and the store, and prints them', async () => {
    const lines: string[] = [];
    const result = await runIdempotencyBench({
      redisUrl: testRedisUrl(),
      requests: 20,
      warmup: 5,
      prefix: `${testQueuePrefix()}-bench-idem`,
      log: (l) => lines.push(l),
    });
    for (const figure of Object.values(result)) expect(figure.p50).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/first delivery \(idempotent\) +p50 [\d.]+ ms .* added p50/);
  });
});
