import { pingDatabase } from '@recoup/db';
import { waitForRedis } from '@recoup/queue';
import { startService } from '@recoup/runtime';
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
    // Workers start paused and only take jobs once Redis and PostgreSQL answer.
    afterListen: async () => {
      await waitForRedis(deps.workerRedis, 60_000);
      await pingDatabase(deps.db);
      void deps.worker.run().catch((err: Error) => deps.logger.error({ err }, 'worker stopped'));
      deps.logger.info('notification worker running');
    },
    // Stop taking jobs and let the active ones finish before connections close.
    drain: [{ name: 'worker', run: () => deps.worker.close() }],
  });
}

main().catch((err: Error) => {
  process.stderr.write(`${SERVICE}: failed to start: ${err.message}\n`);
  process.exit(1);
});
