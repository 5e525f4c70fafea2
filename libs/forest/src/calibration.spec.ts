import { calibrate, fitPlatt } from './calibration';
import { SeededRandom } from './random';

describe('Platt calibration', () => {
  it('recovers a known sigmoid from noisy scores', () => {
    // True P(y=1 | s) = sigmoid(2 * logit(s) - 0.5).
    const random = new SeededRandom(3);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const s = 0.02 + 0.96 * random.next();
      const p = calibrate({ method: 'platt', a: 2, b: -0.5, eps: 0.01 }, s);
      scores.push(s);
      labels.push(random.next() < p ? 1 : 0);
    }
    const fitted = fitPlatt(scores, labels, 0.01);
    expect(fitted.a).toBeCloseTo(2, 1);
    expect(fitted.b).toBeCloseTo(-0.5, 1);
  });

  it('stays finite on scores that barely rank (where a plain Newton step diverges)', () => {
    const random = new SeededRandom(4);
    const scores = Array.from({ length: 2000 }, () => Math.round(random.next() * 30) / 30);
    const labels = scores.map((s): number => (random.next() < 0.3 + 0.1 * s ? 1 : 0));
    const fitted = fitPlatt(scores, labels, 0.015);
    expect(Number.isFinite(fitted.a) && Number.isFinite(fitted.b)).toBe(true);
    expect(fitted.a).toBeLessThan(5);
    const mean = scores.reduce((sum, s) => sum + calibrate(fitted, s), 0) / scores.length;
    const observed = labels.reduce((x, y) => x + y, 0) / labels.length;
    expect(Math.abs(mean - observed)).toBeLessThan(0.02);
  });
});
