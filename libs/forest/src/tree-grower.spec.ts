import { binMatrix, fitCuts } from './binning';
import { ForestModel, flattenTrees } from './forest-model';
import { IDENTITY_CALIBRATION } from './calibration';
import { growTree, type BinnedTable, type TreeParams } from './tree-grower';

const params: TreeParams = { maxFeatures: 2, maxDepth: 1000, minSamplesLeaf: 1, minSamplesSplit: 2, bootstrap: false };

function table(columns: number[][], labels: number[]) {
  const n = labels.length;
  const p = columns.length;
  const rows = new Float64Array(n * p);
  columns.forEach((c, f) => c.forEach((v, r) => (rows[r * p + f] = v)));
  const cuts = columns.map((c) => fitCuts(c));
  const t: BinnedTable = {
    bins: binMatrix(rows, n, p, cuts),
    labels: Uint8Array.from(labels),
    rows: n,
    features: p,
    usable: Int32Array.from(columns.keys()),
  };
  return { t, cuts, p };
}

function asModel(cuts: Float64Array[], p: number, tree: ReturnType<typeof growTree>) {
  return new ForestModel({
    features: Array.from({ length: p }, (_, f) => ({ name: `x${f}`, kind: 'numeric' as const })),
    cuts,
    nodes: flattenTrees([tree]),
    calibration: IDENTITY_CALIBRATION,
    info: { version: 't', trainedAt: '', seed: 0, trees: 1, rows: 0, positives: 0, oobAuc: null, params },
  });
}

describe('growTree', () => {
  it('learns a known split on the informative feature, halfway between the classes', () => {
    const x = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9];
    const noise = [5, 1, 7, 3, 2, 8, 4, 6];
    const { t, cuts, p } = table([noise, x], [0, 0, 0, 0, 1, 1, 1, 1]);
    const tree = growTree(t, params, 1);
    expect(tree.feature[0]).toBe(1);
    expect(cuts[1]![tree.bin[0]!]).toBeCloseTo(0.5, 12);
    expect(Array.from(tree.feature.slice(1))).toEqual([-1, -1]);
    expect(Array.from(tree.value)).toEqual([0.5, 0, 1]);
    const model = asModel(cuts, p, tree);
    expect(model.voteShare([0, 0.45])).toBe(0);
    expect(model.voteShare([0, 0.55])).toBe(1);
  });

  it('grows deeper for an interaction no single split separates (XOR)', () => {
    const a = [0, 0, 1, 1, 0, 0, 1, 1];
    const b = [0, 1, 0, 1, 0, 1, 0, 1];
    const { t, cuts, p } = table([a, b], [0, 1, 1, 0, 0, 1, 1, 0]);
    const model = asModel(cuts, p, growTree(t, params, 3));
    expect([model.voteShare([0, 0]), model.voteShare([0, 1]), model.voteShare([1, 0]), model.voteShare([1, 1])]).toEqual([0, 1, 1, 0]);
  });

  it('learns where missing values belong', () => {
    // Missing means "paid" here: the tree must send NaN to the positive side.
    const x = [1, 2, 3, 4, NaN, NaN, 8, 9];
    const { t, cuts, p } = table([x], [0, 0, 0, 0, 1, 1, 1, 1]);
    const model = asModel(cuts, p, growTree(t, { ...params, maxFeatures: 1 }, 1));
    expect(model.voteShare([NaN])).toBe(1);
    expect(model.voteShare([2])).toBe(0);
    expect(model.voteShare([8.5])).toBe(1);
  });

  it('respects min samples per leaf and depth limits', () => {
    const x = Array.from({ length: 40 }, (_, i) => i);
    const labels = x.map((v) => (v % 2 === 0 ? 1 : 0));
    const { t } = table([x], labels);
    const shallow = growTree(t, { ...params, maxFeatures: 1, maxDepth: 2 }, 1);
    expect(shallow.feature.length).toBeLessThanOrEqual(7);
    const bushy = growTree(t, { ...params, maxFeatures: 1, minSamplesLeaf: 5 }, 1);
    // Every leaf holds at least 5 rows, so there are at most 8 leaves.
    expect(Array.from(bushy.feature).filter((f) => f < 0).length).toBeLessThanOrEqual(8);
  });
});
