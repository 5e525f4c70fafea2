import { z } from 'zod';
import { baseEnv, port, providerSpecs, anthropicEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'ivr-negotiation';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8004),
  HOST: z.string().default('0.0.0.0'),
  ...twilioEnv,
  ...anthropicEnv,
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8004'),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.twilio(c), providerSpecs.anthropic(c)], env);
}
