// The forest on any tabular CSV, so the engine can be checked on any data set:
//   npm run predict-cli -- train --csv <file> --label <column> [--features a,b,c] [--trees 100] [--seed 0] [--positive <value>] [--min-samples-leaf 1] --out <model file>
//   npm run predict-cli -- eval --model <model file> --csv <file> --label <column>
// eval prints the ROC AUC alone on its last line.
import {
  brierScore,
  createForestExecutor,
  FeatureEncoder,
  fitFeatureSpecs,
  logLoss,
  readModelFile,
  rocAuc,
  trainForest,
  writeModelFile,
} from '@recoup/forest';
import { parseFlags, positiveLabel, streamCsvTable } from './csv-table';

function need(flags: Record<string, string>, name: string): string {
  const v = flags[name];
  if (!v || v === 'true') throw new Error(`--${name} is required`);
  return v;
}

/** gzip level of the written model: zlib's default; 9 took ten times as long for a file 3% smaller (bench:train). */
const MODEL_GZIP_LEVEL = 6;

async function train(flags: Record<string, string>): Promise<void> {
  const table = await streamCsvTable(need(flags, 'csv'));
  const labelColumn = need(flags, 'label');
  const out = need(flags, 'out');
  const labelValues = table.column(labelColumn);
  const positive = positiveLabel(labelValues, flags.positive);
  const features = flags.features ? flags.features.split(',').map((f) => f.trim()) : table.header.filter((h) => h !== labelColumn);
  if (features.includes(labelColumn)) throw new Error('the label cannot also be a feature');
  const labels = Uint8Array.from(labelValues, (v) => (v === positive ? 1 : 0));
  const columns = features.map((name) => ({ name, values: table.column(name) }));
  const specs = fitFeatureSpecs(columns, labels);
  const rows = new FeatureEncoder(specs).encodeColumns(
    columns.map((c) => c.values),
    table.rows,
  );
  const executor = createForestExecutor();
  const started = performance.now();
  try {
    const model = await trainForest(
      { features: specs, rows, labels },
      {
        trees: Number(flags.trees ?? 100),
        seed: Number(flags.seed ?? 0),
        minSamplesLeaf: Number(flags['min-samples-leaf'] ?? 1),
        executor,
        metadata: { source: `csv: ${flags.csv}`, label: { column: labelColumn, positive } },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const bytes = await writeModelFile(out, model, { level: MODEL_GZIP_LEVEL });
    const categorical = specs.filter((s) => s.kind === 'categorical').map((s) => s.name);
    console.log(
      `trained ${model.treeCount} trees on ${table.rows} rows x ${specs.length} features in ${seconds.toFixed(2)} s (${executor.threads} threads)`,
    );
    if (categorical.length > 0) console.log(`encoded categorical columns: ${categorical.join(', ')}`);
    console.log(`positive class: ${labelColumn} = ${positive} (${model.info.positives} rows)`);
    console.log(`out-of-bag ROC AUC: ${model.info.oobAuc?.toFixed(4) ?? 'n/a'}`);
    console.log(`wrote ${out} (${(bytes / 1024).toFixed(0)} KiB, version ${model.info.version})`);
    // performance.now() counts from the process's start: the figure bench:train compares with scikit-learn's fit.
    console.log(`model written ${(performance.now() / 1000).toFixed(2)} s after the process started`);
  } finally {
    await executor.close();
  }
}

async function evaluate(flags: Record<string, string>): Promise<void> {
  const model = await readModelFile(need(flags, 'model'));
  const table = await streamCsvTable(need(flags, 'csv'));
  const labelColumn = need(flags, 'label');
  const stored = model.metadata.label as { positive?: string } | undefined;
  const labelValues = table.column(labelColumn);
  const positive = flags.positive ?? stored?.positive ?? positiveLabel(labelValues);
  const labels = Uint8Array.from(labelValues, (v) => (v === positive ? 1 : 0));
  // A feature the CSV lacks is missing for every row, as the model handles any missing value.
  const columns = model.featureNames.map((name) =>
    table.header.includes(name) ? table.column(name) : new Array<string>(table.rows).fill(''),
  );
  const absent = model.featureNames.filter((name) => !table.header.includes(name));
  const rows = model.encoder.encodeColumns(columns, table.rows);
  const p = model.probabilities(rows, table.rows);
  if (absent.length > 0) console.log(`columns absent from the CSV (scored as missing): ${absent.join(', ')}`);
  console.log(`model ${model.info.version}: ${model.treeCount} trees, ${model.width} features`);
  console.log(`rows ${table.rows}, positive class ${labelColumn} = ${positive} (${labels.reduce((a, b) => a + b, 0)} rows)`);
  console.log(`brier score ${brierScore(p, labels).toFixed(4)}`);
  console.log(`log loss ${logLoss(p, labels).toFixed(4)}`);
  console.log('ROC AUC:');
  console.log(rocAuc(p, labels).toFixed(6));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const flags = parseFlags(rest);
  if (command === 'train') return train(flags);
  if (command === 'eval') return evaluate(flags);
  throw new Error(
    'usage: predict-cli train --csv <file> --label <column> [--features a,b] [--trees 100] [--seed 0] --out <model> | eval --model <model> --csv <file> --label <column>',
  );
}

main().catch((err: Error) => {
  process.stderr.write(`predict-cli: ${err.message}\n`);
  process.exit(1);
});
