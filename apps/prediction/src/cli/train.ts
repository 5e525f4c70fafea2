// Trains a new versioned model and stores it in PostgreSQL (prediction_models), announced over Redis so every running
// prediction replica serves it at once; with --out-dir, writes it as a file there instead (the shipped bootstrap model):
//   npm run train                                  from the platform database (DATABASE_URL)
//   npm run train -- --csv <file> --label <column> --paid <value> --map feature=column,... [--date <column>]
//                                                  a new customer's history, columns mapped onto the product features
//   npm run train -- --ibm <WA_Fn-UseC_-Accounts-Receivable.csv>
//                                                  the shipped bootstrap model (temporal holdout from 2013-07-01)
// Options: --trees 100 --seed 0 --out-dir <dir> (a file there instead of the database)
import { createDatabase } from '@recoup/db';
import { createForestExecutor, MODEL_FILE_EXTENSION, writeModelFile, type ForestModel } from '@recoup/forest';
import { createLogger } from '@recoup/observability';
import { closeRedis, createRedis } from '@recoup/queue';
import path from 'node:path';
import { IBM_HOLDOUT_START, ibmExamples, readIbmReceivables } from '../bootstrap/ibm-receivables';
import { loadConfig } from '../config';
import { PRODUCT_FEATURES, type FeatureRecord, type LabelledExample, type ProductFeature } from '../features/product-features';
import { trainFromDatabase } from '../training/database-training';
import { trainProductModel } from '../training/training-pipeline';
import { ModelStore, modelChannel } from '../model/model-store';
import { parseFlags, readCsvTable } from './csv-table';

/** The shipped bootstrap model's fixed identity, so retraining it reproduces the same file. */
const BOOTSTRAP_TRAINED_AT = new Date('2026-11-21T00:00:00.000Z');
const BOOTSTRAP_VERSION = '2026-11-21T00-00-00-000Z-ibm-bootstrap';

function csvExamples(file: string, flags: Record<string, string>): LabelledExample[] {
  const table = readCsvTable(file);
  if (!flags.label || !flags.paid || !flags.map)
    throw new Error('--csv needs --label <column>, --paid <value meaning paid> and --map feature=column,...');
  const mapping = flags.map.split(',').map((pair) => {
    const [feature, column] = pair.split('=').map((s) => s.trim());
    if (!feature || !column || !(PRODUCT_FEATURES as readonly string[]).includes(feature)) {
      throw new Error(`bad mapping "${pair}": features are ${PRODUCT_FEATURES.join(', ')}`);
    }
    return { feature: feature as ProductFeature, values: table.column(column) };
  });
  const labels = table.column(flags.label);
  const dates = flags.date ? table.column(flags.date).map((d) => new Date(d)) : undefined;
  return labels.map((label, r) => {
    const features: FeatureRecord = {};
    for (const m of mapping) features[m.feature] = m.values[r];
    return { features, paid: label === flags.paid, asOf: dates?.[r] ?? new Date(r) };
  });
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const outDir = flags['out-dir'];
  const trees = Number(flags.trees ?? 100);
  const seed = Number(flags.seed ?? 0);
  const executor = createForestExecutor();
  let model: ForestModel;
  try {
    if (flags.ibm) {
      model = await trainProductModel(ibmExamples(readIbmReceivables(flags.ibm)), {
        source: 'IBM Watson Analytics accounts receivable sample (2,466 invoices), label: paid by the due date',
        trees,
        seed,
        executor,
        holdoutFrom: IBM_HOLDOUT_START,
        version: BOOTSTRAP_VERSION,
        now: BOOTSTRAP_TRAINED_AT,
      });
    } else if (flags.csv) {
      model = await trainProductModel(csvExamples(flags.csv, flags), {
        source: `csv: ${path.basename(flags.csv)}`,
        trees,
        seed,
        executor,
        refitOnAll: true,
      });
    } else {
      const { config } = loadConfig();
      const db = createDatabase(config.DATABASE_URL);
      try {
        model = await trainFromDatabase(db, { trees, seed, minRows: config.PREDICTION_MIN_TRAINING_ROWS, executor });
      } finally {
        await db.$disconnect();
      }
    }
  } finally {
    await executor.close();
  }
  const where = outDir ? await writeFile(outDir, model) : await storeInDatabase(model);
  console.log(`wrote ${where}: ${model.treeCount} trees, ${model.nodeCount} nodes, ${model.info.rows} rows`);
  console.log(`out-of-bag ROC AUC ${model.info.oobAuc?.toFixed(4) ?? 'n/a'}`);
  console.log(`holdout ${JSON.stringify(model.metadata.holdout, null, 2)}`);
}

async function writeFile(outDir: string, model: ForestModel): Promise<string> {
  const file = path.join(outDir, `${model.info.version}${MODEL_FILE_EXTENSION}`);
  const bytes = await writeModelFile(file, model);
  return `${file} (${(bytes / 1024).toFixed(0)} KiB)`;
}

/** Stored in prediction_models and announced, as the training queue does: running replicas swap to it within moments. */
async function storeInDatabase(model: ForestModel): Promise<string> {
  const { config } = loadConfig();
  const logger = createLogger({ service: 'predict-train', level: 'warn' });
  const db = createDatabase(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client', logger);
  try {
    const store = new ModelStore(db, logger, { publisher: redis, channel: modelChannel(config.QUEUE_PREFIX) });
    const stored = await store.save(model);
    return `prediction_models/${stored.version} (${(stored.sizeBytes / 1024).toFixed(0)} KiB, announced to the running replicas)`;
  } finally {
    await closeRedis(redis);
    await db.$disconnect();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`train: ${err.message}\n`);
  process.exit(1);
});
