/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { SeededRandom } from './random';
import type { TrainingSet } from './train-forest';

/**
 * A synthetic two-class table: the label depends on the first features (linearly, through an
 * interaction and a step), plus label noise; the other features are noise. Shared by the
 * specs and the benchmark so both look at the same problem.
 */
export function syntheticTable(
  rows: number,
  features: number,
  seed: number,
  options: { noise?: number; missingRate?: number } = {},
): TrainingSet {
  const random = new SeededRandom(seed);
  const p = Math.max(features, 8);
  const data = new Float64Array(rows * p);
  const labels = new Uint8Array(rows);
  const noise = options.noise ?? 0.5;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < p; f++) data[r * p + f] = random.next() * 2 - 1;
    const x = (f: number) => data[r * p + f]!;
    const signal = 1.5 * x(0) + x(1) - 0.8 * x(2) + (x(3) > 0.2 ? 0.8 : -0.4) + 1.2 * x(4) * x(5);
    labels[r] = signal + (random.next() - 0.5) * 2 * noise > 0 ? 1 : 0;
    if (options.missingRate) for (let f = 0; f < p; f++) if (random.next() < options.missingRate) data[r * p + f] = NaN;
  }
  return { features: Array.from({ length: p }, (_, f) => ({ name: `x${f}`, kind: 'numeric' as const })), rows: data, labels };
}

/** Rows [from, to) of a training set. */
export function sliceRows(set: TrainingSet, from: number, to: number): TrainingSet {
  const p = set.features.length;
  return { features: set.features, rows: set.rows.slice(from * p, to * p), labels: set.labels.slice(from, to) };
}
