import { z } from 'zod';
import { baseEnv, port, anthropicEnv, twilioEnv } from '@recoup/config';
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
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [
    { name: 'twilio', mode: c.TWILIO_MODE, credentials: { TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: c.TWILIO_FROM_NUMBER } },
    { name: 'anthropic', mode: c.ANTHROPIC_MODE, credentials: { ANTHROPIC_API_KEY: c.ANTHROPIC_API_KEY } },
  ], env);
}
