/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
/**
 * The trees of a forest flattened into typed arrays (node i of the whole forest), which is
 * what makes scoring a tight loop: no objects, no pointers to chase.
 * Left child of node i is i + 1 (preorder); a leaf has feature -1.
 */
export interface ForestArrays {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  right: Int32Array;
  value: Float32Array;
}

/** Mean leaf value over the trees for the row at `offset` of a row-major matrix: the vote share. */
export function voteShare(forest: ForestArrays, x: ArrayLike<number>, offset = 0): number {
  const { roots, feature, threshold, missingLeft, right, value } = forest;
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let i = roots[t]!;
    let f = feature[i]!;
    while (f >= 0) {
      const v = x[offset + f]!;
      // NaN compares false: it takes the branch the tree learnt for missing values.
      if (v <= threshold[i]!) i = i + 1;
      else if (v !== v && missingLeft[i] === 1) i = i + 1;
      else i = right[i]!;
      f = feature[i]!;
    }
    sum += value[i]!;
  }
  return sum / roots.length;
}

/**
 * Vote shares of rows [from, to) of a row-major matrix with `width` columns, written to
 * out[from..to). Trees are the outer loop so one tree's nodes stay in cache across rows.
 */
export function voteShares(forest: ForestArrays, rows: Float64Array, width: number, from: number, to: number, out: Float64Array): void {
  const { roots, feature, threshold, missingLeft, right, value } = forest;
  out.fill(0, from, to);
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    for (let r = from; r < to; r++) {
      const offset = r * width;
      let i = root;
      let f = feature[i]!;
      while (f >= 0) {
        const v = rows[offset + f]!;
        if (v <= threshold[i]!) i = i + 1;
        else if (v !== v && missingLeft[i] === 1) i = i + 1;
        else i = right[i]!;
        f = feature[i]!;
      }
      out[r]! += value[i]!;
    }
  }
  const trees = roots.length;
  for (let r = from; r < to; r++) out[r]! /= trees;
}

/**
 * Path contributions (Saabas): along each tree's path, the change in node value at a split
 * is credited to that split's feature. bias + sum(contributions) equals the vote share.
 */
export function pathContributions(
  forest: ForestArrays,
  width: number,
  x: ArrayLike<number>,
  offset = 0,
): { bias: number; contributions: Float64Array } {
  const { roots, feature, threshold, missingLeft, right, value } = forest;
  const contributions = new Float64Array(width);
  let bias = 0;
  for (let t = 0; t < roots.length; t++) {
    let i = roots[t]!;
    bias += value[i]!;
    let f = feature[i]!;
    while (f >= 0) {
      const v = x[offset + f]!;
      const next = v <= threshold[i]! || (v !== v && missingLeft[i] === 1) ? i + 1 : right[i]!;
      contributions[f]! += value[next]! - value[i]!;
      i = next;
      f = feature[i]!;
    }
  }
  const trees = roots.length;
  for (let f = 0; f < width; f++) contributions[f]! /= trees;
  return { bias: bias / trees, contributions };
}

/** Path contributions of rows [from, to): per row, the bias then one contribution per feature. */
export function pathContributionRows(forest: ForestArrays, width: number, rows: Float64Array, from: number, to: number): Float64Array {
  const out = new Float64Array((to - from) * (width + 1));
  for (let r = from; r < to; r++) {
    const { bias, contributions } = pathContributions(forest, width, rows, r * width);
    const at = (r - from) * (width + 1);
    out[at] = bias;
    out.set(contributions, at + 1);
  }
  return out;
}
