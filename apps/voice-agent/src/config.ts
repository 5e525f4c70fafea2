import { z } from 'zod';
import { baseEnv, port, openaiEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'voice-agent';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8003),
  HOST: z.string().default('0.0.0.0'),
  ...twilioEnv,
  ...openaiEnv,
  /** Public https origin Twilio reaches for TwiML, status callbacks and the media stream. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8003'),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [
    { name: 'twilio', mode: c.TWILIO_MODE, credentials: { TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: c.TWILIO_FROM_NUMBER } },
    { name: 'openai', mode: c.OPENAI_MODE, credentials: { OPENAI_API_KEY: c.OPENAI_API_KEY } },
  ], env);
}
