import type { Database } from '@recoup/db';
import type { ForestExecutor, ForestModel } from '@recoup/forest';
import { loadDatabaseExamples } from '../features/database-features';
import { trainProductModel } from './training-pipeline';

export class NotEnoughTrainingData extends Error {
  override name = 'NotEnoughTrainingData';
}

export interface DatabaseTrainingOptions {
  trees: number;
  seed: number;
  minRows: number;
  executor?: ForestExecutor;
  now?: Date;
}

/**
 * A model from the platform's own history: measured on its latest fifth, then retrained on
 * everything (the most recent behaviour matters most). Too little history keeps the current
 * model: a forest on a few dozen invoices would be worse than the bootstrap one.
 */
export async function trainFromDatabase(db: Database, options: DatabaseTrainingOptions): Promise<ForestModel> {
  const examples = await loadDatabaseExamples(db, options.now);
  const positives = examples.filter((e) => e.paid).length;
  if (examples.length < options.minRows || positives === 0 || positives === examples.length) {
    throw new NotEnoughTrainingData(
      `${examples.length} labelled examples (${positives} paid): need at least ${options.minRows} with both outcomes`,
    );
  }
  return trainProductModel(examples, {
    source: `database: ${examples.length} overdue-invoice snapshots`,
    trees: options.trees,
    seed: options.seed,
    executor: options.executor,
    refitOnAll: true,
    now: options.now,
  });
}
