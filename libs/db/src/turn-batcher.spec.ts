import { TurnBatcher } from './turn-batcher';

describe('TurnBatcher', () => {
  it('runs the calls of one event-loop turn as one batch and answers each caller with its own result', async () => {
    const batches: number[][] = [];
    const batcher = new TurnBatcher<number, number>(async (xs) => {
      batches.push(xs);
      return xs.map((x) => x * 10);
    });
    const first = await Promise.all([1, 2, 3].map((x) => batcher.add(x)));
    const second = await batcher.add(4);
    expect(first).toEqual([10, 20, 30]);
    expect(second).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('splits at maxBatch', async () => {
    const batches: number[][] = [];
    const batcher = new TurnBatcher<number, number>(async (xs) => (batches.push(xs), xs), 2);
    await Promise.all([1, 2, 3, 4, 5].map((x) => batcher.add(x)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a failed batch is retried one input at a time, so only the bad input fails', async () => {
    const batcher = new TurnBatcher<number, number>(async (xs) => {
      if (xs.includes(13)) throw new Error('unlucky');
      return xs;
    });
    const results = await Promise.allSettled([12, 13, 14].map((x) => batcher.add(x)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('unlucky'));
  });

  it('rejects when the batch answers a different number of results', async () => {
    const batcher = new TurnBatcher<number, number>(async () => []);
    await expect(batcher.add(1)).rejects.toThrow('batch answered 0 results for 1 inputs');
  });
});
