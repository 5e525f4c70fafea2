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
 * Fits a and b by Newton's method on the log loss, with Platt's (1999) smoothed targets so
 * a perfectly separated training set does not drive the slope to infinity.
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
  for (let i = 0; i < n; i++) z[i] = logit(scores[i]!, eps);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * z[i]! + b)));
      const t = labels[i] ? hiTarget : loTarget;
      const d = p - t;
      const s = p * (1 - p);
      gA += d * z[i]!;
      gB += d;
      hAA += s * z[i]! * z[i]!;
      hAB += s * z[i]!;
      hBB += s;
    }
    const det = hAA * hBB - hAB * hAB;
    if (Math.abs(det) < 1e-18) break;
    const stepA = (hBB * gA - hAB * gB) / det;
    const stepB = (hAA * gB - hAB * gA) / det;
    a -= stepA;
    b -= stepB;
    if (Math.abs(stepA) < 1e-10 && Math.abs(stepB) < 1e-10) break;
  }
  // A non-increasing map would invert the ranking: keep the raw shares instead.
  if (!(a > 0) || !Number.isFinite(b)) return { ...IDENTITY_CALIBRATION, eps };
  return { method: 'platt', a, b, eps };
}
