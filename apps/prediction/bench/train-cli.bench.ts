/**
 * npm run bench:train
 *
 * `npm run predict-cli -- train` on a UCI-shaped CSV (24,000 rows x 23 features, 100 trees), wall time from the
 * command's start to the model written (the process's exit), against the named baseline measured in the same run:
 * scikit-learn's RandomForestClassifier(n_estimators=100, random_state=0) fit on the same file, one core (n_jobs=1, the
 * issue's baseline) and, for information, all cores. Rounds alternate so load from elsewhere hits both alike; medians.
 * Both models are then scored on a holdout of 6,000 rows from the same generator (ROC AUC).
 * Goal (issue 17): our wall <= scikit-learn's one-core fit, AUC unchanged.
 *
 * scikit-learn is optional: without a Python that imports it (BENCH_PYTHON, python3, /usr/bin/python3; on Debian
 * `apt-get install -y python3-sklearn`) the bench says so and prints our figures without a ratio.
 * BENCH_TRAIN_CSV / BENCH_TRAIN_LABEL / BENCH_HOLDOUT_CSV train on a file of your own (e.g. the real UCI set).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UCI_LABEL, writeUciShapedCsv } from './uci-shaped';

const ROOT = path.resolve(__dirname, '../../..');

export interface TrainBenchOptions {
  rows: number;
  holdoutRows: number;
  trees: number;
  rounds: number;
  log: (line: string) => void;
  csv?: string;
  label?: string;
  holdoutCsv?: string;
}

export interface TrainBenchResult {
  oursWallS: number;
  oursAuc: number;
  sklearn?: { fitS: number; fitAllCoresS: number; auc: number; version: string };
  ratio?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs a command to its end; resolves with its stdout and the wall time from spawn to exit. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ out, seconds });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}

const SKLEARN = `
import sys, time, json
import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
train, holdout, label, trees, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def load(f):
    header = open(f).readline().strip().split(',')
    data = np.loadtxt(f, delimiter=',', skiprows=1)
    y = data[:, header.index(label)]
    X = np.delete(data, header.index(label), axis=1)
    return X, y
X, y = load(train)
model = RandomForestClassifier(n_estimators=trees, random_state=0, n_jobs=jobs)
t = time.perf_counter()
model.fit(X, y)
fit = time.perf_counter() - t
Xh, yh = load(holdout)
print(json.dumps({"fit": fit, "auc": roc_auc_score(yh, model.predict_proba(Xh)[:, 1]), "version": sklearn.__version__}))
`;

/** A Python that imports scikit-learn, or undefined. */
function findSklearnPython(): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((py) => spawnSync(py, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status === 0);
}

export async function runTrainBench(options: TrainBenchOptions): Promise<TrainBenchResult> {
  const { log } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recoup-bench-train-'));
  try {
    const label = options.label ?? UCI_LABEL;
    const csv = options.csv ?? path.join(dir, 'train.csv');
    const holdout = options.holdoutCsv ?? path.join(dir, 'holdout.csv');
    if (!options.csv) writeUciShapedCsv(csv, options.rows, 2009);
    if (!options.holdoutCsv) writeUciShapedCsv(holdout, options.holdoutRows, 2010);
    const script = path.join(dir, 'sklearn_fit.py');
    writeFileSync(script, SKLEARN);
    const model = path.join(dir, 'model.forest');
    const python = findSklearnPython();

    const cpu = os.cpus();
    log(
      `train bench — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model}), load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${process.version}`,
    );
    log(
      `${options.csv ? csv : `UCI-shaped synthetic CSV, ${options.rows} rows x 23 features`}, ${options.trees} trees, ${options.rounds} alternating rounds, medians; ours and scikit-learn measured in this run`,
    );
    if (!python)
      log(
        'scikit-learn not found (no python3 that imports sklearn; on Debian: apt-get install -y python3-sklearn): no ratio, our figures only',
      );

    const ours: number[] = [];
    const inProcess: number[] = [];
    const sk1: number[] = [];
    const skAll: number[] = [];
    let sklearnAuc = NaN;
    let sklearnVersion = '';
    for (let round = 0; round < options.rounds; round++) {
      const r = await run('npm', [
        'run',
        '--silent',
        'predict-cli',
        '--',
        'train',
        '--csv',
        csv,
        '--label',
        label,
        '--trees',
        String(options.trees),
        '--seed',
        '0',
        '--out',
        model,
      ]);
      statSync(model); // the model was written
      ours.push(r.seconds);
      const own = /model written ([\d.]+) s after the process started/.exec(r.out);
      if (own) inProcess.push(Number(own[1]));
      if (python) {
        for (const [jobs, into] of [
          [1, sk1],
          [-1, skAll],
        ] as const) {
          const s = await run(python, [script, csv, holdout, label, String(options.trees), String(jobs)]);
          const parsed = JSON.parse(s.out.trim().split('\n').pop() ?? '{}') as { fit: number; auc: number; version: string };
          into.push(parsed.fit);
          sklearnAuc = parsed.auc;
          sklearnVersion = parsed.version;
        }
      }
    }
    const evalRun = await run('npm', [
      'run',
      '--silent',
      'predict-cli',
      '--',
      'eval',
      '--model',
      model,
      '--csv',
      holdout,
      '--label',
      label,
    ]);
    const oursAuc = Number(evalRun.out.trim().split('\n').pop());

    const oursWallS = median(ours);
    log(
      `predict-cli train, wall from the command's start to the model written: ${oursWallS.toFixed(2)} s (rounds: ${ours.map((s) => s.toFixed(2)).join(', ')}; inside the node process: ${median(inProcess).toFixed(2)} s)`,
    );
    log(`  holdout ROC AUC ${oursAuc.toFixed(4)} (${options.holdoutRows} rows)`);
    if (!python) return { oursWallS, oursAuc };
    const fitS = median(sk1);
    const fitAllCoresS = median(skAll);
    log(
      `scikit-learn ${sklearnVersion} RandomForestClassifier fit, 1 core: ${fitS.toFixed(2)} s (rounds: ${sk1.map((s) => s.toFixed(2)).join(', ')}); all cores: ${fitAllCoresS.toFixed(2)} s`,
    );
    log(`  holdout ROC AUC ${sklearnAuc.toFixed(4)}`);
    const ratio = oursWallS / fitS;
    log(
      `\nours / scikit-learn one-core fit: ${ratio.toFixed(2)}x (goal <= 1.0x: ${ratio <= 1 ? 'met' : 'NOT met'}); against its all-cores fit: ${(oursWallS / fitAllCoresS).toFixed(2)}x`,
    );
    return { oursWallS, oursAuc, sklearn: { fitS, fitAllCoresS, auc: sklearnAuc, version: sklearnVersion }, ratio };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runTrainBench({
    rows: 24_000,
    holdoutRows: 6_000,
    trees: 100,
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    log: (line) => console.log(line),
    csv: process.env.BENCH_TRAIN_CSV,
    label: process.env.BENCH_TRAIN_LABEL,
    holdoutCsv: process.env.BENCH_HOLDOUT_CSV,
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
