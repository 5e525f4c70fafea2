/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { randomBytes } from 'node:crypto';
import { binMatrix, fitCuts, MAX_VALUE_BINS } from './binning';
import { fitPlatt, IDENTITY_CALIBRATION } from './calibration';
import type { FeatureSpec } from './feature-encoding';
import { InlineForestExecutor, type ForestExecutor } from './forest-executor';
import { ForestModel, flattenTrees } from './forest-model';
import { rocAuc } from './metrics';
import { treeSeed } from './random';
import { inBagCounts, type BinnedTable, type TreeParams } from './tree-grower';

/** Encoded training rows: row-major, one column per feature spec, NaN for missing. */
export interface TrainingSet {
  features: FeatureSpec[];
  rows: Float64Array;
  labels: Uint8Array;
}

export interface TrainOptions {
  trees?: number;
  seed?: number;
  /** Features drawn per split: 'sqrt' (scikit-learn's default for classifiers), 'all' or a count. */
  maxFeatures?: 'sqrt' | 'all' | number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  minSamplesSplit?: number;
  bootstrap?: boolean;
  maxBins?: number;
  /** Fit Platt scaling on out-of-bag scores (needs bootstrap). Default true. */
  calibrate?: boolean;
  executor?: ForestExecutor;
  version?: string;
  now?: Date;
  metadata?: Record<string, unknown>;
}

/** A version that sorts by training time and never collides: 2026-11-21T10-00-00-000Z-5f3a9c. */
export function newModelVersion(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

function usableFeatures(rows: Float64Array, n: number, p: number, cuts: readonly Float64Array[]): Int32Array {
  const usable: number[] = [];
  for (let f = 0; f < p; f++) {
    if (cuts[f]!.length > 0) {
      usable.push(f);
      continue;
    }
    // One distinct value can still be split from missing values.
    let present = false;
    let missing = false;
    for (let r = 0; r < n && !(present && missing); r++) {
      if (rows[r * p + f]! === rows[r * p + f]!) present = true;
      else missing = true;
    }
    if (present && missing) usable.push(f);
  }
  return Int32Array.from(usable);
}

/**
 * Trains a random forest classifier: bins every feature once, grows the trees (in worker
 * threads when the executor has them), then scores each row with the trees that did not see
 * it (out-of-bag) to measure AUC and fit the probability calibration without a holdout.
 */
export async function trainForest(set: TrainingSet, options: TrainOptions = {}): Promise<ForestModel> {
  const p = set.features.length;
  const n = set.labels.length;
  if (set.rows.length !== n * p) throw new Error(`expected ${n} x ${p} = ${n * p} cells, got ${set.rows.length}`);
  if (n === 0) throw new Error('cannot train on zero rows');
  const treeCount = options.trees ?? 100;
  const seed = (options.seed ?? 0) >>> 0;
  const bootstrap = options.bootstrap ?? true;

  const cuts: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < p; f++) {
    for (let r = 0; r < n; r++) column[r] = set.rows[r * p + f]!;
    cuts.push(fitCuts(column, Math.min(MAX_VALUE_BINS, options.maxBins ?? MAX_VALUE_BINS)));
  }
  const usable = usableFeatures(set.rows, n, p, cuts);
  const maxFeatures =
    options.maxFeatures === 'all'
      ? usable.length
      : typeof options.maxFeatures === 'number'
        ? options.maxFeatures
        : Math.max(1, Math.floor(Math.sqrt(usable.length)));
  const params: TreeParams = {
    maxFeatures,
    maxDepth: options.maxDepth ?? 1000,
    minSamplesLeaf: options.minSamplesLeaf ?? 1,
    minSamplesSplit: options.minSamplesSplit ?? 2,
    bootstrap,
  };
  const table: BinnedTable = { bins: binMatrix(set.rows, n, p, cuts), labels: set.labels, rows: n, features: p, usable };
  const seeds = Array.from({ length: treeCount }, (_, t) => treeSeed(seed, t));
  const executor = options.executor ?? new InlineForestExecutor();
  const nodes = flattenTrees(await executor.growTrees(table, params, seeds));

  let positives = 0;
  for (let r = 0; r < n; r++) positives += set.labels[r] ? 1 : 0;
  const now = options.now ?? new Date();
  const info = {
    version: options.version ?? newModelVersion(now),
    trainedAt: now.toISOString(),
    seed,
    trees: treeCount,
    rows: n,
    positives,
    oobAuc: null as number | null,
    params,
  };
  const raw = new ForestModel({ features: set.features, cuts, nodes, calibration: IDENTITY_CALIBRATION, info, metadata: options.metadata });
  if (!bootstrap) return raw;

  // Out-of-bag vote shares, tree by tree in a fixed order (so they are the same on any thread count).
  const oobSum = new Float64Array(n);
  const oobCount = new Uint16Array(n);
  const { roots, feature, threshold, missingLeft, right, value } = raw.arrays;
  for (let t = 0; t < treeCount; t++) {
    const inBag = inBagCounts(n, seeds[t]!, true);
    for (let r = 0; r < n; r++) {
      if (inBag[r]! > 0) continue;
      let i = roots[t]!;
      while (feature[i]! >= 0) {
        const v = set.rows[r * p + feature[i]!]!;
        i = v <= threshold[i]! || (v !== v && missingLeft[i] === 1) ? i + 1 : right[i]!;
      }
      oobSum[r]! += value[i]!;
      oobCount[r]!++;
    }
  }
  const shares: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < n; r++) {
    if (oobCount[r] === 0) continue;
    shares.push(oobSum[r]! / oobCount[r]!);
    labels.push(set.labels[r]!);
  }
  const oobAuc = rocAuc(shares, labels);
  info.oobAuc = Number.isNaN(oobAuc) ? null : oobAuc;
  // Out-of-bag shares come from about a third of the trees, so they are noisier than the full forest's.
  const eps = 0.5 / Math.max(1, Math.round(treeCount / 3));
  const calibration = (options.calibrate ?? true) && shares.length > 0 ? fitPlatt(shares, labels, eps) : IDENTITY_CALIBRATION;
  return new ForestModel({ features: set.features, cuts, nodes, calibration, info, metadata: options.metadata });
}
