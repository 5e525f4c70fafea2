import { z } from 'zod';
import { baseEnv, port, sendgridEnv, twilioEnv } from '@recoup/config';
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
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [
    { name: 'sendgrid', mode: c.SENDGRID_MODE, credentials: { SENDGRID_API_KEY: c.SENDGRID_API_KEY, SENDGRID_FROM_EMAIL: c.SENDGRID_FROM_EMAIL } },
    { name: 'twilio', mode: c.TWILIO_MODE, credentials: { TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: c.TWILIO_FROM_NUMBER } },
  ], env);
}
