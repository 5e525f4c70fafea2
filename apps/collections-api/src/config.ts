import { z } from 'zod';
import { baseEnv, port, providerSpecs, stripeEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'collections-api';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8000),
  HOST: z.string().default('0.0.0.0'),
  ...stripeEnv,
  PREDICTION_URL: z.url().default('http://127.0.0.1:8001'),
  PREDICTION_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  VOICE_AGENT_URL: z.url().default('http://127.0.0.1:8003'),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.stripe(c)], env);
}
