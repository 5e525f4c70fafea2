import { runMain, startService } from '@recoup/runtime';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

async function main(): Promise<void> {
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers);
  await deps.start();
  const { server } = await startService({
    deps,
    app: createApp(deps),
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    workers: [
      {
        name: 'ai-calls worker',
        redis: deps.workerRedis,
        start: () =>
          void deps.worker.run().catch((err: Error) => deps.logger.error({ err: { message: err.message } }, 'ai-calls worker stopped')),
        close: () => deps.worker.close(),
      },
    ],
    // Drain, not drop: readiness fails and no new call is taken (worker closed, listener closed); the calls bridged
    // here may run to the call limit (Twilio's timeLimit ends them by then). The whole shutdown gets at least that
    // plus 10 s to finalise and close: max(SHUTDOWN_TIMEOUT_MS, CALL_MAX_SECONDS + 10 s).
    drain: [{ name: 'live calls', run: () => deps.registry.drain(config.CALL_MAX_SECONDS * 1000) }],
    drainTimeoutMs: Math.max(0, config.CALL_MAX_SECONDS * 1000 + 10_000 - config.SHUTDOWN_TIMEOUT_MS),
  });
  deps.registry.attach(server, deps.logger);
  if (!config.INTERNAL_API_TOKEN)
    deps.logger.warn('INTERNAL_API_TOKEN is not set: /initiate-call, /call-status and /estimate-cost refuse every request (401)');
  if (deps.fakeTwilio)
    deps.logger.warn(
      'sandbox: calls are answered by the in-process fake Twilio (scripted debtor) talking to the fake OpenAI Realtime server',
    );
}

runMain(SERVICE, main);
