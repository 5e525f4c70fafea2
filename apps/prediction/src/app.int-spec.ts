import path from 'node:path';
import { describeServiceContract } from '@recoup/testing';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

describeServiceContract(SERVICE, (env) => {
  const { config, providers } = loadConfig({ ...env, MODEL_DIR: path.join(__dirname, '..', 'models'), PREDICTION_THREADS: '1' });
  const deps = buildDeps(config, providers);
  return {
    app: createApp(deps),
    start: async () => {
      await deps.models.loadLatest();
    },
    close: () => deps.close(),
  };
});
