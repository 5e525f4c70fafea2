import { runTrainBench } from '../bench/train-cli.bench';

// A smoke run of `npm run bench:train` (2,000 rows, 10 trees, one round, no thresholds): the benchmark keeps working as
// the CLI changes. scikit-learn is used when installed and skipped with a message when not.
describe('bench:train smoke', () => {
  it('trains with predict-cli, scores the holdout and prints the comparison', async () => {
    const lines: string[] = [];
    const result = await runTrainBench({ rows: 2000, holdoutRows: 500, trees: 10, rounds: 1, log: (l) => lines.push(l) });
    expect(result.oursWallS).toBeGreaterThan(0);
    expect(result.oursAuc).toBeGreaterThan(0.5);
    const text = lines.join('\n');
    expect(text).toMatch(/predict-cli train, wall from the command's start to the model written: [\d.]+ s/);
    if (result.sklearn) expect(text).toMatch(/ours \/ scikit-learn one-core fit: [\d.]+x/);
    else expect(text).toMatch(/scikit-learn not found/);
  }, 240_000);
});
