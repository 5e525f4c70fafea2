import type { z } from 'zod';
import { ConfigError, ProviderConfigError, parseEnv, resolveProviders, type ProviderDecision, type ProviderSpec } from '@recoup/config';

export interface ServiceConfig<C> {
  config: Readonly<C>;
  providers: ProviderDecision[];
}

/**
 * Parses the app's env and decides each provider's mode. Any problem is reported as one
 * line on stderr naming every bad variable, and the process exits 1 before anything starts.
 */
export function loadServiceConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  providers: (config: z.infer<S>) => ProviderSpec[],
  env: NodeJS.ProcessEnv = process.env,
  fail: (message: string) => never = (message) => {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
): ServiceConfig<z.infer<S>> {
  try {
    const config = parseEnv(service, schema, env);
    const decisions = resolveProviders(providers(config as z.infer<S>), (config as { NODE_ENV?: string }).NODE_ENV ?? 'development');
    return { config, providers: decisions };
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    if (err instanceof ProviderConfigError) return fail(`${service}: ${err.message}`);
    throw err;
  }
}
