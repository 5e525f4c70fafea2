/**
 * A notifier worker as its own process, for the crash test: the real config, deps and worker
 * (sandbox providers), with the compliance clock fixed by argv[2]. Prints "ready" once running.
 */
import { pingDatabase } from '@recoup/db';
import { waitForRedis } from '@recoup/queue';
import { loadConfig } from '../src/config';
import { buildDeps } from '../src/deps';

async function main(): Promise<void> {
  const clockIso = process.argv[2];
  const { config, providers } = loadConfig();
  const deps = buildDeps(config, providers, clockIso ? { clock: () => new Date(clockIso) } : {});
  await waitForRedis(deps.workerRedis, 10_000);
  await pingDatabase(deps.db);
  void deps.worker.run();
  await deps.worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void deps.worker
      .close()
      .then(() => deps.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker process failed: ${String(err)}\n`);
  process.exit(1);
});
