import type { ProviderDecision } from '@recoup/config';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { SERVICE, type Config } from './config';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[]): Deps {
  return { ...createCoreDeps(SERVICE, config, providers), config };
}
