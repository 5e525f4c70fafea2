/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
/**
 * Platt scaling on the logit of the forest's vote share: p = sigmoid(a * logit(s) + b).
 * A forest's vote shares are squeezed away from 0 and 1 (Niculescu-Mizil and Caruana, 2005);
 * a monotone map fitted on out-of-bag scores fixes that without changing the ranking (AUC).
 */
export interface PlattCalibration {
  method: 'platt';
  a: number;
  b: number;
  /** Vote shares are clipped to [eps, 1 - eps] before the logit (0 and 1 are common). */
  eps: number;
}

export const IDENTITY_CALIBRATION: PlattCalibration = { method: 'platt', a: 1, b: 0, eps: 1e-3 };

function logit(s: number, eps: number): number {
  const c = s < eps ? eps : s > 1 - eps ? 1 - eps : s;
  return Math.log(c / (1 - c));
}

export function calibrate(c: PlattCalibration, score: number): number {
  return 1 / (1 + Math.exp(-(c.a * logit(score, c.eps) + c.b)));
}

/**
 * Fits a and b by Newton's method with backtracking on the log loss (Lin, Lin and Weng 2007,
 * "A note on Platt's probabilistic outputs"), with Platt's smoothed targets so a perfectly
 * separated training set does not drive the slope to infinity. A plain Newton step diverges
 * on noisy out-of-bag scores.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>, eps: number): PlattCalibration {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] ? 1 : 0;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { ...IDENTITY_CALIBRATION, eps };
  const hiTarget = (positives + 1) / (positives + 2);
  const loTarget = 1 / (negatives + 2);
  const z = new Float64Array(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = logit(scores[i]!, eps);
    t[i] = labels[i] ? hiTarget : loTarget;
  }
  // Cross-entropy against the smoothed targets, computed without overflow.
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const f = a * z[i]! + b;
      sum += f >= 0 ? (1 - t[i]!) * f + Math.log1p(Math.exp(-f)) : -t[i]! * f + Math.log1p(Math.exp(f));
    }
    return sum;
  };
  let a = 0;
  let b = Math.log((positives + 1) / (negatives + 1));
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const f = a * z[i]! + b;
      const p = f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
      const d = p - t[i]!;
      const s = p * (1 - p);
      gA += d * z[i]!;
      gB += d;
      hAA += s * z[i]! * z[i]!;
      hAB += s * z[i]!;
      hBB += s;
    }
    if (Math.abs(gA) < 1e-9 && Math.abs(gB) < 1e-9) break;
    const det = hAA * hBB - hAB * hAB;
    if (!(det > 0)) break;
    const dA = -(hBB * gA - hAB * gB) / det;
    const dB = -(hAA * gB - hAB * gA) / det;
    let step = 1;
    let improved = false;
    while (step >= 1e-10) {
      const next = loss(a + step * dA, b + step * dB);
      if (next < current + 1e-4 * step * (gA * dA + gB * dB)) {
        a += step * dA;
        b += step * dB;
        current = next;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  // A non-increasing map would invert the ranking: keep the raw shares instead.
  if (!(a > 0) || !Number.isFinite(b)) return { ...IDENTITY_CALIBRATION, eps };
  return { method: 'platt', a, b, eps };
}
