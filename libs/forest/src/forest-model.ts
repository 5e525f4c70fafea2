/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { calibrate, type PlattCalibration } from './calibration';
import { FeatureEncoder, type FeatureSpec, type RawValue } from './feature-encoding';
import { pathContributions, voteShare, voteShares, type ForestArrays } from './forest-scoring';
import type { GrownTree, TreeParams } from './tree-grower';

/** What a model says about itself: enough to tell two models apart and to judge one. */
export interface ModelInfo {
  /** Unique, sortable by training time (e.g. 2026-11-21T10-00-00Z-5f3a). */
  version: string;
  trainedAt: string;
  seed: number;
  trees: number;
  rows: number;
  positives: number;
  /** Out-of-bag ROC AUC of the vote shares on the training rows; null when not measurable. */
  oobAuc: number | null;
  params: TreeParams;
}

/** The nodes of every tree, flattened; `bin` is what is stored, thresholds come from the cuts. */
export interface ForestNodes {
  roots: Int32Array;
  feature: Int32Array;
  bin: Uint8Array;
  missingLeft: Uint8Array;
  right: Int32Array;
  value: Float32Array;
}

export interface ForestModelParts {
  features: FeatureSpec[];
  cuts: Float64Array[];
  nodes: ForestNodes;
  calibration: PlattCalibration;
  info: ModelInfo;
  /** Free-form facts the application keeps with the model (data source, holdout metrics). */
  metadata?: Record<string, unknown>;
}

export interface FeatureContribution {
  feature: string;
  /** Change in calibrated probability credited to the feature; positive pushes it up. */
  contribution: number;
}

export interface Explanation {
  probability: number;
  /** The calibrated probability before any feature is looked at (the training base rate). */
  baseProbability: number;
  /** Every feature the paths used, largest absolute contribution first. */
  contributions: FeatureContribution[];
}

/** Concatenates grown trees into one set of arrays, rebasing each tree's child indices. */
export function flattenTrees(trees: readonly GrownTree[]): ForestNodes {
  const total = trees.reduce((n, t) => n + t.feature.length, 0);
  const nodes: ForestNodes = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    bin: new Uint8Array(total),
    missingLeft: new Uint8Array(total),
    right: new Int32Array(total),
    value: new Float32Array(total),
  };
  let at = 0;
  trees.forEach((t, k) => {
    nodes.roots[k] = at;
    nodes.feature.set(t.feature, at);
    nodes.bin.set(t.bin, at);
    nodes.missingLeft.set(t.missingLeft, at);
    nodes.value.set(t.value, at);
    for (let i = 0; i < t.right.length; i++) nodes.right[at + i] = t.feature[i]! >= 0 ? t.right[i]! + at : 0;
    at += t.feature.length;
  });
  return nodes;
}

/** A trained random forest: scores encoded rows or raw records, calibrated, with explanations. */
export class ForestModel {
  readonly features: readonly FeatureSpec[];
  readonly cuts: readonly Float64Array[];
  readonly nodes: ForestNodes;
  readonly calibration: PlattCalibration;
  readonly info: ModelInfo;
  readonly metadata: Record<string, unknown>;
  readonly encoder: FeatureEncoder;
  /** The scoring view of the nodes (thresholds resolved from bins). */
  readonly arrays: ForestArrays;

  constructor(parts: ForestModelParts) {
    this.features = parts.features;
    this.cuts = parts.cuts;
    this.nodes = parts.nodes;
    this.calibration = parts.calibration;
    this.info = parts.info;
    this.metadata = parts.metadata ?? {};
    this.encoder = new FeatureEncoder(parts.features);
    const { feature, bin } = parts.nodes;
    const threshold = new Float64Array(feature.length);
    for (let i = 0; i < feature.length; i++) {
      const f = feature[i]!;
      if (f < 0) continue;
      const cuts = parts.cuts[f];
      if (!cuts) throw new Error(`node ${i} splits on feature ${f}, which has no cut points`);
      // The last bin's split ("every value left") sends only missing values right.
      threshold[i] = bin[i]! < cuts.length ? cuts[bin[i]!]! : Infinity;
    }
    this.arrays = {
      roots: parts.nodes.roots,
      feature,
      threshold,
      missingLeft: parts.nodes.missingLeft,
      right: parts.nodes.right,
      value: parts.nodes.value,
    };
  }

  get width(): number {
    return this.features.length;
  }

  get featureNames(): string[] {
    return this.features.map((f) => f.name);
  }

  get treeCount(): number {
    return this.nodes.roots.length;
  }

  get nodeCount(): number {
    return this.nodes.feature.length;
  }

  /** Calibrated probability of the positive class for one encoded row. */
  probability(x: ArrayLike<number>, offset = 0): number {
    return calibrate(this.calibration, voteShare(this.arrays, x, offset));
  }

  /** Maps a vote share to a calibrated probability. */
  calibrate(share: number): number {
    return calibrate(this.calibration, share);
  }

  /** The uncalibrated share of tree votes (mean leaf value). */
  voteShare(x: ArrayLike<number>, offset = 0): number {
    return voteShare(this.arrays, x, offset);
  }

  /** Calibrated probabilities of n encoded rows (row-major), in this thread. */
  probabilities(rows: Float64Array, n = rows.length / this.width): Float64Array {
    const out = new Float64Array(n);
    voteShares(this.arrays, rows, this.width, 0, n, out);
    for (let r = 0; r < n; r++) out[r] = calibrate(this.calibration, out[r]!);
    return out;
  }

  /** Scores one record of raw values keyed by feature name (missing keys are missing values). */
  predictRecord(record: Readonly<Record<string, RawValue>>): number {
    return this.probability(this.encoder.encode(record));
  }

  /**
   * Path contributions moved onto the calibrated scale: the calibration is monotone, so each
   * feature keeps its sign and rank, and the contributions add up to probability - base.
   */
  explain(x: ArrayLike<number>, offset = 0): Explanation {
    const { bias, contributions } = pathContributions(this.arrays, this.width, x, offset);
    return this.explanationOf(bias, contributions);
  }

  /** An explanation from raw path contributions (as computed here or by a worker thread). */
  explanationOf(bias: number, contributions: ArrayLike<number>, offset = 0): Explanation {
    let share = bias;
    for (let f = 0; f < this.width; f++) share += contributions[offset + f]!;
    const probability = calibrate(this.calibration, share);
    const baseProbability = calibrate(this.calibration, bias);
    const delta = share - bias;
    let scale: number;
    if (Math.abs(delta) > 1e-9) scale = (probability - baseProbability) / delta;
    else {
      const h = 1e-4;
      scale = (calibrate(this.calibration, bias + h) - calibrate(this.calibration, bias - h)) / (2 * h);
    }
    const list: FeatureContribution[] = [];
    for (let f = 0; f < this.width; f++) {
      const c = contributions[offset + f]!;
      if (c !== 0) list.push({ feature: this.features[f]!.name, contribution: c * scale });
    }
    list.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
    return { probability, baseProbability, contributions: list };
  }
}
