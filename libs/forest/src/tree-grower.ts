/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { MISSING_BIN } from './binning';
import { SeededRandom, bootstrapCounts } from './random';

/** A binned training table shared by every tree (and, in workers, by every thread). */
export interface BinnedTable {
  /** Column-major bins: feature f of row r at f * rows + r; MISSING_BIN for NaN. */
  bins: Uint8Array;
  /** 1 for the positive class, 0 otherwise. */
  labels: Uint8Array;
  rows: number;
  features: number;
  /** Features with at least two distinct values: the only ones worth drawing at a split. */
  usable: Int32Array;
}

export interface TreeParams {
  /** Features drawn at each split (sqrt of the usable features by default). */
  maxFeatures: number;
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  bootstrap: boolean;
}

/**
 * One tree in preorder: node i's left child is i + 1 and its right child is right[i];
 * feature[i] is -1 at a leaf. value[i] is the share of positives (bootstrap-weighted) that
 * reached the node, kept on inner nodes too for path-contribution explanations.
 */
export interface GrownTree {
  feature: Int32Array;
  bin: Uint8Array;
  missingLeft: Uint8Array;
  right: Int32Array;
  value: Float32Array;
}

/** The bootstrap a tree is grown on, recomputable from its seed alone (for out-of-bag scores). */
export function inBagCounts(rows: number, seed: number, bootstrap: boolean): Uint16Array {
  return bootstrap ? bootstrapCounts(rows, new SeededRandom(seed)) : new Uint16Array(rows).fill(1);
}

/**
 * Grows one classification tree by Gini impurity on histograms of the binned table, as
 * scikit-learn's RandomForestClassifier does on raw values: bootstrap rows, draw
 * `maxFeatures` features per split (drawing more only if none of them can split), and
 * grow until leaves are pure or the size limits stop it. Missing values go to whichever side
 * of a split fits them best (to the larger child if the node had none).
 */
export function growTree(table: BinnedTable, params: TreeParams, seed: number): GrownTree {
  const { bins, labels, rows } = table;
  const random = new SeededRandom(seed);
  const counts = params.bootstrap ? bootstrapCounts(rows, random) : new Uint16Array(rows).fill(1);
  let inBag = 0;
  for (let r = 0; r < rows; r++) if (counts[r]! > 0) inBag++;
  const idx = new Int32Array(inBag);
  let totalW = 0;
  let totalPos = 0;
  for (let r = 0, k = 0; r < rows; r++) {
    const c = counts[r]!;
    if (c === 0) continue;
    idx[k++] = r;
    totalW += c;
    if (labels[r]) totalPos += c;
  }

  // A leaf holds at least one distinct row, so a tree has at most 2 * inBag - 1 nodes.
  const capacity = Math.max(1, 2 * inBag - 1);
  const feature = new Int32Array(capacity);
  const bin = new Uint8Array(capacity);
  const missingLeft = new Uint8Array(capacity);
  const right = new Int32Array(capacity);
  const value = new Float32Array(capacity);
  let nodes = 0;

  const histW = new Float64Array(256);
  const histPos = new Float64Array(256);
  const histN = new Int32Array(256);
  const order = Int32Array.from(table.usable);
  const drawCount = Math.max(1, Math.min(params.maxFeatures, order.length));
  const minLeaf = Math.max(1, params.minSamplesLeaf);

  const build = (start: number, end: number, depth: number, w: number, pos: number): number => {
    const node = nodes++;
    value[node] = pos / w;
    feature[node] = -1;
    const size = end - start;
    if (pos === 0 || pos === w || size < params.minSamplesSplit || size < 2 * minLeaf || depth >= params.maxDepth) return node;

    let bestScore = -Infinity;
    let bestF = -1;
    let bestBin = 0;
    let bestMissLeft = 0;
    let bestLeftW = 0;
    let bestLeftPos = 0;
    for (let drawn = 0; drawn < order.length; drawn++) {
      if (drawn >= drawCount && bestF >= 0) break;
      const j = drawn + random.int(order.length - drawn);
      const f = order[j]!;
      order[j] = order[drawn]!;
      order[drawn] = f;

      const base = f * rows;
      let lo = 255;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const b = bins[base + r]!;
        const c = counts[r]!;
        histW[b]! += c;
        if (labels[r]) histPos[b]! += c;
        histN[b]!++;
        if (b !== MISSING_BIN) {
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      const mW = histW[MISSING_BIN]!;
      const mPos = histPos[MISSING_BIN]!;
      const mN = histN[MISSING_BIN]!;
      // With missing values, "every value left, missing right" is a split too.
      const last = mN > 0 ? hi : hi - 1;
      let lW = 0;
      let lPos = 0;
      let lN = 0;
      for (let b = lo; b <= last && hi >= 0; b++) {
        const nb = histN[b]!;
        if (nb === 0) continue;
        lW += histW[b]!;
        lPos += histPos[b]!;
        lN += nb;
        const rN = size - lN - mN;
        // Missing rows on the right.
        if (lN >= minLeaf && rN + mN >= minLeaf) {
          const rW = w - lW;
          const rPos = pos - lPos;
          const lNeg = lW - lPos;
          const rNeg = rW - rPos;
          const score = (lPos * lPos + lNeg * lNeg) / lW + (rPos * rPos + rNeg * rNeg) / rW;
          if (score > bestScore) {
            bestScore = score;
            bestF = f;
            bestBin = b;
            bestMissLeft = mN > 0 ? 0 : lW >= rW ? 1 : 0;
            bestLeftW = lW;
            bestLeftPos = lPos;
          }
        }
        // Missing rows on the left.
        if (mN > 0 && b < hi && lN + mN >= minLeaf && rN >= minLeaf) {
          const aW = lW + mW;
          const aPos = lPos + mPos;
          const rW = w - aW;
          const rPos = pos - aPos;
          const aNeg = aW - aPos;
          const rNeg = rW - rPos;
          const score = (aPos * aPos + aNeg * aNeg) / aW + (rPos * rPos + rNeg * rNeg) / rW;
          if (score > bestScore) {
            bestScore = score;
            bestF = f;
            bestBin = b;
            bestMissLeft = 1;
            bestLeftW = aW;
            bestLeftPos = aPos;
          }
        }
      }
      if (hi >= 0) {
        histW.fill(0, lo, hi + 1);
        histPos.fill(0, lo, hi + 1);
        histN.fill(0, lo, hi + 1);
      }
      histW[MISSING_BIN] = 0;
      histPos[MISSING_BIN] = 0;
      histN[MISSING_BIN] = 0;
    }
    if (bestF < 0) return node;

    // Partition the node's rows in place: left ones first.
    const base = bestF * rows;
    let i = start;
    let k = end - 1;
    while (i <= k) {
      const b = bins[base + idx[i]!]!;
      const goesLeft = b === MISSING_BIN ? bestMissLeft === 1 : b <= bestBin;
      if (goesLeft) i++;
      else {
        const t = idx[i]!;
        idx[i] = idx[k]!;
        idx[k] = t;
        k--;
      }
    }
    feature[node] = bestF;
    bin[node] = bestBin;
    missingLeft[node] = bestMissLeft;
    build(start, i, depth + 1, bestLeftW, bestLeftPos);
    right[node] = build(i, end, depth + 1, w - bestLeftW, pos - bestLeftPos);
    return node;
  };

  if (inBag > 0) build(0, inBag, 0, totalW, totalPos);
  else {
    // No rows at all: a single leaf that knows nothing.
    feature[0] = -1;
    value[0] = 0.5;
    nodes = 1;
  }
  return {
    feature: feature.slice(0, nodes),
    bin: bin.slice(0, nodes),
    missingLeft: missingLeft.slice(0, nodes),
    right: right.slice(0, nodes),
    value: value.slice(0, nodes),
  };
}
