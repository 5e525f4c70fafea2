import { isForestWorkerThread, serveForestWorker } from '@recoup/forest';
import { runMain, startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  const model = await deps.models.loadLatest();
  if (model) deps.logger.info({ version: model.info.version, trees: model.treeCount }, 'model loaded');
  if (!config.INTERNAL_API_TOKEN)
    deps.logger.warn('INTERNAL_API_TOKEN is not set: collections-api cannot call /predict (it falls back to its rules-based estimate)');
  await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    workers: [
      {
        name: `training worker (${config.PREDICTION_TRAIN_CRON})`,
        redis: deps.workerRedis,
        start: async () => {
          await deps.training.scheduleNightly(config.PREDICTION_TRAIN_CRON);
          deps.training.run();
        },
        close: () => deps.training.worker.close(),
      },
    ],
  });
}

// A bundled build (dist/apps/prediction/main.js) is also the entry of its forest worker threads.
if (isForestWorkerThread()) serveForestWorker();
else runMain(SERVICE, main);
