import { z } from 'zod';
import { baseEnv, port, providerSpecs, openaiEnv, twilioEnv } from '@recoup/config';
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
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.twilio(c), providerSpecs.openai(c)], env);
}
