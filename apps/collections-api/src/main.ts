import { runMain, startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { startAccountingSync } from './connections/accounting.deps';
import { buildDeps, startCollections, startRetention } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  if (!config.ADMIN_API_KEY) deps.logger.warn('ADMIN_API_KEY is not set: admin routes (creating tenants) are disabled');
  await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    workers: [
      {
        name: `automatic collections (${config.COLLECTIONS_SCAN_CRON}, Europe/London)`,
        redis: deps.workerRedis,
        start: () => startCollections(deps),
        close: () => deps.scheduler.close(),
      },
      {
        name: `retention (${config.RETENTION_CRON}, Europe/London)`,
        redis: deps.workerRedis,
        start: () => startRetention(deps),
        close: () => deps.retention.scheduler.close(),
      },
      {
        name: `accounting sync (every ${config.ACCOUNTING_SYNC_EVERY_MINUTES} min)`,
        redis: deps.workerRedis,
        start: () => startAccountingSync(deps, config.ACCOUNTING_SYNC_EVERY_MINUTES),
        close: () => deps.accounting.scheduler.close(),
      },
    ],
  });
}

runMain(SERVICE, main);
