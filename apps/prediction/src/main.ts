import { pingDatabase } from '@recoup/db';
import { isForestWorkerThread, serveForestWorker } from '@recoup/forest';
import { waitForRedis } from '@recoup/queue';
import { startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  const model = await deps.models.loadLatest();
  if (model) deps.logger.info({ version: model.info.version, trees: model.treeCount }, 'model loaded');
  await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    // The training worker starts paused and only takes jobs once Redis and PostgreSQL answer.
    afterListen: async () => {
      await waitForRedis(deps.workerRedis, 60_000);
      await pingDatabase(deps.db);
      await deps.training.scheduleNightly(config.PREDICTION_TRAIN_CRON);
      deps.training.run();
      deps.logger.info({ cron: config.PREDICTION_TRAIN_CRON }, 'training worker running');
    },
    // Stop taking training jobs (an active one finishes) before connections close.
    drain: [{ name: 'training worker', run: () => deps.training.worker.close() }],
  });
}

// A bundled build (dist/apps/prediction/main.js) is also the entry of its forest worker threads.
if (isForestWorkerThread()) serveForestWorker();
else
  main().catch((err: Error) => {
    process.stderr.write(`${SERVICE}: failed to start: ${err.message}\n`);
    process.exit(1);
  });
