import { binMatrix, binOf, fitCuts, MISSING_BIN } from './binning';

describe('binning', () => {
  it('puts a cut between every pair of distinct values when there are few', () => {
    const cuts = fitCuts([3, 1, 2, 2, NaN, 1]);
    expect(Array.from(cuts)).toEqual([1.5, 2.5]);
    expect([1, 2, 3].map((v) => binOf(cuts, v))).toEqual([0, 1, 2]);
    expect(binOf(cuts, NaN)).toBe(MISSING_BIN);
  });

  it('makes "bin <= b" the same test as "value <= cut b", so trees trained on bins score raw values', () => {
    const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1000);
    const cuts = fitCuts(values);
    expect(cuts.length).toBeLessThanOrEqual(254);
    expect(cuts.length).toBeGreaterThan(200);
    for (const v of values.slice(0, 500)) {
      const b = binOf(cuts, v);
      for (let k = 0; k < cuts.length; k += 17) expect(b <= k).toBe(v <= cuts[k]!);
    }
  });

  it('gives no cuts to a constant or empty column', () => {
    expect(fitCuts([7, 7, 7]).length).toBe(0);
    expect(fitCuts([NaN, NaN]).length).toBe(0);
  });

  it('bins a row-major matrix column by column', () => {
    const rows = Float64Array.from([1, 10, 2, NaN, 3, 30]);
    const cuts = [fitCuts([1, 2, 3]), fitCuts([10, 30])];
    expect(Array.from(binMatrix(rows, 3, 2, cuts))).toEqual([0, 1, 2, 0, MISSING_BIN, 1]);
  });
});
