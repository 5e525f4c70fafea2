import { z } from 'zod';
import { baseEnv, port } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'prediction';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8001),
  HOST: z.string().default('0.0.0.0'),
  /** Where versioned model files live; the newest valid one is loaded at start-up. */
  MODEL_DIR: z.string().default('apps/prediction/models'),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, () => [], env);
}
