import { describeServiceContract } from '@recoup/testing';
import { createApp } from './app';
import { SERVICE, loadConfig } from './config';
import { buildDeps } from './deps';

describeServiceContract(SERVICE, (env) => {
  const { config, providers } = loadConfig(env);
  const deps = buildDeps(config, providers);
  return { app: createApp(deps), close: () => deps.close() };
});
