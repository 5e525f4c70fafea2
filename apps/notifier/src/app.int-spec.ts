import { pingDatabase } from '@recoup/db';
import { waitForRedis } from '@recoup/queue';
import { describeServiceContract } from '@recoup/testing';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

describeServiceContract(SERVICE, (env) => {
  const { config, providers } = loadConfig(env);
  const deps = buildDeps(config, providers);
  return {
    app: createApp(deps),
    start: async () => {
      await waitForRedis(deps.workerRedis, 10_000);
      await pingDatabase(deps.db);
      void deps.worker.run();
    },
    close: async () => {
      await deps.worker.close();
      await deps.close();
    },
  };
});
