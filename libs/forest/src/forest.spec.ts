import { ForestWorkerPool, InlineForestExecutor } from './forest-executor';
import { brierScore, rocAuc } from './metrics';
import { deserializeModel, ModelFileError, serializeModel } from './model-file';
import { sliceRows, syntheticTable } from './test-data';
import { trainForest } from './train-forest';

const data = syntheticTable(3000, 10, 7);
const train = sliceRows(data, 0, 2000);
const test = sliceRows(data, 2000, 3000);

describe('random forest', () => {
  let model: Awaited<ReturnType<typeof trainForest>>;

  beforeAll(async () => {
    model = await trainForest(train, { trees: 40, seed: 1 });
  });

  it('beats 0.85 ROC AUC on a held-out synthetic set', () => {
    const p = model.probabilities(test.rows);
    expect(rocAuc(p, test.labels)).toBeGreaterThan(0.85);
    expect(model.info.oobAuc).toBeGreaterThan(0.8);
  });

  it('gives calibrated probabilities: better Brier than the raw vote shares, and a matching mean', () => {
    const calibrated = model.probabilities(test.rows);
    const raw = Float64Array.from({ length: test.labels.length }, (_, r) => model.voteShare(test.rows, r * model.width));
    expect(brierScore(calibrated, test.labels)).toBeLessThan(brierScore(raw, test.labels));
    const meanPredicted = calibrated.reduce((a, b) => a + b, 0) / calibrated.length;
    const observed = test.labels.reduce((a, b) => a + b, 0) / test.labels.length;
    expect(Math.abs(meanPredicted - observed)).toBeLessThan(0.05);
  });

  it('is deterministic for a seed, and differs across seeds', async () => {
    const again = await trainForest(train, { trees: 40, seed: 1 });
    expect(Buffer.from(again.nodes.value.buffer)).toEqual(Buffer.from(model.nodes.value.buffer));
    expect(again.nodes.feature).toEqual(model.nodes.feature);
    expect(again.calibration).toEqual(model.calibration);
    const other = await trainForest(train, { trees: 40, seed: 2 });
    expect(other.nodes.feature).not.toEqual(model.nodes.feature);
  });

  it('round-trips through its file format with identical scores', () => {
    const bytes = serializeModel(model);
    const loaded = deserializeModel(bytes);
    expect(loaded.info).toEqual(model.info);
    expect(loaded.features).toEqual(model.features);
    expect(Array.from(loaded.probabilities(test.rows))).toEqual(Array.from(model.probabilities(test.rows)));
    // 12 bytes a node before gzip: the file must stay small enough to commit.
    expect(bytes.length).toBeLessThan(model.nodeCount * 12);
  });

  it('rejects a corrupt or foreign file instead of scoring with it', () => {
    expect(() => deserializeModel(Buffer.from('not a model'))).toThrow(ModelFileError);
    const bytes = serializeModel(model);
    expect(() => deserializeModel(bytes.subarray(0, bytes.length - 20))).toThrow(ModelFileError);
  });

  it('scores rows with missing values without failing, as the trees learnt', () => {
    const withGaps = syntheticTable(1500, 10, 9, { missingRate: 0.15 });
    return trainForest(sliceRows(withGaps, 0, 1000), { trees: 30, seed: 3 }).then((m) => {
      const holdout = sliceRows(withGaps, 1000, 1500);
      const p = m.probabilities(holdout.rows);
      expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(rocAuc(p, holdout.labels)).toBeGreaterThan(0.75);
      expect(Number.isFinite(m.probability(new Float64Array(10).fill(NaN)))).toBe(true);
    });
  });

  it('explains a prediction: contributions add up to probability minus base, led by informative features', () => {
    const x = test.rows.subarray(0, model.width);
    const e = model.explain(x);
    expect(e.probability).toBeCloseTo(model.probability(x), 12);
    const sum = e.contributions.reduce((a, c) => a + c.contribution, 0);
    expect(sum).toBeCloseTo(e.probability - e.baseProbability, 9);
    const magnitude = new Map<string, number>();
    for (let r = 0; r < 200; r++) {
      for (const c of model.explain(test.rows, r * model.width).contributions)
        magnitude.set(c.feature, (magnitude.get(c.feature) ?? 0) + Math.abs(c.contribution));
    }
    const ranked = [...magnitude.entries()].sort((a, b) => b[1] - a[1]).map(([f]) => f);
    // x0 has the largest weight in the label; x6..x9 are pure noise.
    expect(ranked[0]).toBe('x0');
    expect(ranked.slice(0, 4)).not.toContain('x9');
  });
});

describe('worker threads', () => {
  const pool = new ForestWorkerPool({ threads: 2 });
  afterAll(() => pool.close());

  it('grow the same trees and give the same scores as this thread', async () => {
    const small = sliceRows(train, 0, 800);
    const inline = await trainForest(small, { trees: 12, seed: 5, executor: new InlineForestExecutor() });
    const threaded = await trainForest(small, { trees: 12, seed: 5, executor: pool });
    expect(threaded.nodes.feature).toEqual(inline.nodes.feature);
    expect(threaded.nodes.value).toEqual(inline.nodes.value);
    const shares = await pool.voteShares(threaded, test.rows, test.labels.length);
    const local = await new InlineForestExecutor().voteShares(inline, test.rows, test.labels.length);
    expect(Array.from(shares)).toEqual(Array.from(local));
    const contributions = await pool.contributions(threaded, test.rows, 3);
    const first = threaded.explanationOf(contributions[0]!, contributions, 1);
    expect(first).toEqual(threaded.explain(test.rows, 0));
  });
});
