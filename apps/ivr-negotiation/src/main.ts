import { runMain, startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  if (!config.TWILIO_AUTH_TOKEN) deps.logger.warn('TWILIO_AUTH_TOKEN is not set: every Twilio webhook will be refused (403)');
  // Live streams would hold the HTTP close open until the deadline: end them as soon as shutdown starts.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => deps.streams.closeAll());
  await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    workers: [{ name: 'ivr-calls worker', redis: deps.workerRedis, start: () => void deps.worker.run(), close: () => deps.worker.close() }],
  });
}

runMain(SERVICE, main);
