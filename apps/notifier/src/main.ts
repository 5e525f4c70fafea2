import { runMain, startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    workers: [
      {
        name: 'notification worker',
        redis: deps.workerRedis,
        start: () => void deps.worker.run().catch((err: Error) => deps.logger.error({ err }, 'worker stopped')),
        close: () => deps.worker.close(),
      },
    ],
  });
}

runMain(SERVICE, main);
