/* eslint-disable @typescript-eslint/no-non-null-assertion -- a benchmark over arrays it just filled. */
// npm run bench:prediction — figures and ratios against named baselines.
// scikit-learn cannot run here (no PyPI access), so its figures are cited from issue 5 and
// ../shared/data/ibm-accounts-receivable/SOURCES.md (scikit-learn 1.2.1, RandomForestClassifier
// n_estimators=100, random_state=0); everything else is measured in this run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import {
  createForestExecutor,
  FeatureEncoder,
  fitFeatureSpecs,
  InlineForestExecutor,
  readModelFile,
  rocAuc,
  sliceRows,
  syntheticTable,
  trainForest,
  type ForestModel,
} from '@recoup/forest';
import { freePort } from '@recoup/testing';
import { IBM_HOLDOUT_START, readIbmReceivables } from '../src/bootstrap/ibm-receivables';

const ROOT = path.resolve(__dirname, '../../..');
const IBM_CSV = path.resolve(ROOT, '../shared/data/ibm-accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv');
const MODEL = path.join(ROOT, 'apps/prediction/models/2026-11-21T00-00-00-000Z-ibm-bootstrap.forest');
const SKLEARN = { trainSeconds: 5.2, holdoutInvoiceOnly: 0.667, holdoutWithHistory: 0.888 };

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
const pct = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function training(): Promise<void> {
  console.log('\n## Training: 24,000 x 23 synthetic rows, 100 trees (scikit-learn: 5.2 s, one core)');
  const set = syntheticTable(24_000, 23, 11);
  for (const threads of [1, 2]) {
    const executor = threads > 1 ? createForestExecutor({ threads }) : new InlineForestExecutor();
    await trainForest(sliceRows(set, 0, 2000), { trees: 4, executor }); // warm-up (JIT, thread start)
    const t0 = performance.now();
    const model = await trainForest(set, { trees: 100, seed: 0, executor });
    const s = (performance.now() - t0) / 1000;
    await executor.close();
    line(
      `ours, ${threads} thread${threads > 1 ? 's' : ''}`,
      `${s.toFixed(2)} s  (${(SKLEARN.trainSeconds / s).toFixed(2)}x faster than scikit-learn; ${model.nodeCount} nodes, OOB AUC ${model.info.oobAuc!.toFixed(4)})`,
    );
  }
}

async function ibmAccuracy(): Promise<void> {
  console.log('\n## ROC AUC on the IBM temporal holdout (train before 2013-07-01, 536 invoices after), same features as scikit-learn');
  const invoices = readIbmReceivables(IBM_CSV);
  const rows = invoices.map((inv) => {
    const prior = invoices.filter((h) => h.customerId === inv.customerId && h.settledDate < inv.invoiceDate);
    const late = prior.filter((h) => h.daysLate > 0).length;
    return {
      date: inv.invoiceDate,
      label: inv.daysLate > 0 ? 1 : 0,
      r: {
        countryCode: inv.countryCode,
        amount: inv.amount,
        disputed: inv.disputed,
        paperless: inv.paperless,
        prior_settled: prior.length,
        prior_late: late,
        prior_late_rate: prior.length ? late / prior.length : undefined,
        prior_mean_days_late: prior.length ? prior.reduce((a, h) => a + h.daysLate, 0) / prior.length : undefined,
        prior_disputes: prior.filter((h) => h.disputed).length,
      } as Record<string, string | number | boolean | undefined>,
    };
  });
  const train = rows.filter((x) => x.date < IBM_HOLDOUT_START);
  const test = rows.filter((x) => x.date >= IBM_HOLDOUT_START);
  const invoiceFields = ['countryCode', 'amount', 'disputed', 'paperless'];
  const history = [...invoiceFields, 'prior_settled', 'prior_late', 'prior_late_rate', 'prior_mean_days_late', 'prior_disputes'];
  for (const [name, cols, reference] of [
    ['invoice fields only', invoiceFields, SKLEARN.holdoutInvoiceOnly],
    ['invoice fields + customer history', history, SKLEARN.holdoutWithHistory],
  ] as const) {
    const labels = Uint8Array.from(train, (x) => x.label);
    const specs = fitFeatureSpecs(
      cols.map((c) => ({ name: c, values: train.map((x) => x.r[c]) })),
      labels,
    );
    const encoder = new FeatureEncoder(specs);
    for (const minSamplesLeaf of [1, 3]) {
      const aucs: number[] = [];
      for (const seed of [0, 1, 2, 3, 4]) {
        const model = await trainForest(
          { features: specs, rows: encoder.encodeMany(train.map((x) => x.r)), labels },
          { trees: 100, seed, minSamplesLeaf },
        );
        aucs.push(
          rocAuc(
            model.probabilities(encoder.encodeMany(test.map((x) => x.r))),
            test.map((x) => x.label),
          ),
        );
      }
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      line(
        `${name}, min_samples_leaf=${minSamplesLeaf} (5 seeds)`,
        `${mean.toFixed(4)} (${Math.min(...aucs).toFixed(4)}-${Math.max(...aucs).toFixed(4)}); scikit-learn ${reference}; diff ${(mean - reference >= 0 ? '+' : '') + (mean - reference).toFixed(4)}`,
      );
    }
  }
}

async function scoring(model: ForestModel): Promise<void> {
  console.log(`\n## Scoring with the shipped model (${model.treeCount} trees, ${model.nodeCount} nodes)`);
  const data = syntheticTable(10_000, model.width, 5, { missingRate: 0.3 });
  // Realistic magnitudes: reuse encoded IBM-like values by scaling the synthetic columns.
  const rows = data.rows.map((v, i) =>
    Number.isNaN(v) ? v : Math.abs(v) * [120, 60, 10, 900, 3, 5, 4, 1, 1, 1, 3, 30, 20, 1][i % model.width]!,
  );
  const n = 10_000;
  const times = new Float64Array(200_000);
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += model.probability(rows, (i % n) * model.width);
  for (let i = 0; i < times.length; i++) {
    const t0 = performance.now();
    sink += model.probability(rows, (i % n) * model.width);
    times[i] = performance.now() - t0;
  }
  times.sort();
  line(
    'single row in-process, p50 / p99 (goal p99 < 0.1 ms)',
    `${(pct(times, 0.5) * 1000).toFixed(1)} us / ${(pct(times, 0.99) * 1000).toFixed(1)} us  (${(0.1 / pct(times, 0.99)).toFixed(0)}x under the goal)`,
  );
  const explainTimes = new Float64Array(20_000);
  for (let i = 0; i < explainTimes.length; i++) {
    const t0 = performance.now();
    sink += model.explain(rows, (i % n) * model.width).probability;
    explainTimes[i] = performance.now() - t0;
  }
  explainTimes.sort();
  line(
    'single row with explanation, p50 / p99',
    `${(pct(explainTimes, 0.5) * 1000).toFixed(1)} us / ${(pct(explainTimes, 0.99) * 1000).toFixed(1)} us`,
  );
  const batch = (label: string, run: () => Promise<unknown> | unknown) => async () => {
    for (let i = 0; i < 5; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await run();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    line(`${label} (goal < 100 ms), median / max`, `${samples[7]!.toFixed(1)} ms / ${samples[14]!.toFixed(1)} ms`);
  };
  await batch('batch of 10,000, this thread', () => model.probabilities(rows, n))();
  const pool = createForestExecutor({ threads: 2 });
  await batch('batch of 10,000, 2 worker threads', () => pool.voteShares(model, rows, n))();
  await batch('batch of 10,000 with explanations, 2 worker threads', () => pool.contributions(model, rows, n))();
  await pool.close();
  if (sink === 42) console.log('');
}

async function http(): Promise<void> {
  console.log('\n## POST /predict over loopback at 500 requests/s (autocannon, 15 s per run; the service runs as its own process)');
  const port = await freePort();
  // /predict and /model take the gateway's token: the bench calls as the gateway does.
  const token = process.env.INTERNAL_API_TOKEN || randomBytes(24).toString('base64url');
  const authorization = `Bearer ${token}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps/prediction/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PREDICTION_TRAIN_CRON: 'off',
      QUEUE_PREFIX: `bench-${port}`,
      INTERNAL_API_TOKEN: token,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/model`, { headers: { authorization } })).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error('the service did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const body = JSON.stringify({
      invoice_amount: 640.5,
      days_overdue: 21,
      previous_late_payments: 2,
      previous_paid_invoices: 9,
      average_days_late: 4.5,
      client_age_days: 400,
      previous_disputes: 0,
      payment_method_on_file: true,
      email_open_rate: 0.4,
    });
    const opts = { url: `${url}/predict`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization }, body };
    await autocannon({ ...opts, connections: 10, amount: 3000 }); // warm-up
    for (const connections of [1, 10]) {
      const result = await autocannon({ ...opts, connections, overallRate: 500, duration: 15 });
      const lat = result.latency;
      line(`${connections} connection(s): requests / non-2xx / errors`, `${result.requests.total} / ${result.non2xx} / ${result.errors}`);
      line(
        `${connections} connection(s): client p50 / p97.5 / p99 / max (goal p99 < 5 ms)`,
        `${lat.p50} / ${lat.p97_5} / ${lat.p99} / ${lat.max} ms (autocannon rounds to whole ms)`,
      );
    }
    // The service's own histogram: time in the server, without the load generator's queueing
    // (autocannon shares the 2 cores with the service).
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const bucket = (le: string) =>
      Number(
        new RegExp(
          `http_request_duration_seconds_bucket\\{le="${le.replace('+', '\\+')}"[^}]*route="/predict",status="200"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? NaN,
      );
    const count = bucket('+Inf');
    const sum = Number(/http_request_duration_seconds_sum\{[^}]*route="\/predict",status="200"\} ([\d.e-]+)/.exec(metrics)?.[1] ?? NaN);
    line(
      'server-side: requests answered within 5 ms',
      `${((bucket('0.005') / count) * 100).toFixed(2)}% of ${count} (mean ${((sum / count) * 1000).toFixed(2)} ms)`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  console.log(
    `# prediction bench, ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).availableParallelism()} cores`,
  );
  await training();
  await ibmAccuracy();
  await scoring(await readModelFile(MODEL));
  await http();
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
