/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
/**
 * ROC AUC as the Mann-Whitney statistic, with tied scores counted as half (the same value
 * scikit-learn's roc_auc_score gives). NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i]! - scores[j]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared error of a probability against the 0/1 outcome. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = probabilities[i]! - (labels[i] ? 1 : 0);
    sum += d * d;
  }
  return sum / probabilities.length;
}

export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]!));
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

export interface CalibrationBin {
  /** Lower and upper edge of predicted probability. */
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability table: predictions in equal-width bins against the observed positive rate. */
export function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]!++;
    predicted[b]! += p;
    observed[b]! += labels[i] ? 1 : 0;
  }
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    table.push({
      from: b / bins,
      to: (b + 1) / bins,
      count: count[b]!,
      meanPredicted: predicted[b]! / count[b]!,
      observedRate: observed[b]! / count[b]!,
    });
  }
  return table;
}
