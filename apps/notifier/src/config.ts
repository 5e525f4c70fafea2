import { z } from 'zod';
import { baseEnv, port, providerSpecs, sendgridEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'notifier';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8005),
  HOST: z.string().default('0.0.0.0'),
  ...sendgridEnv,
  ...twilioEnv,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.sendgrid(c), providerSpecs.twilio(c)], env);
}
