import { z } from 'zod';
import { baseEnv, port, providerSpecs, sendgridEnv, serviceAuthEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'notifier';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8005),
  HOST: z.string().default('0.0.0.0'),
  ...sendgridEnv,
  ...twilioEnv,
  ...serviceAuthEnv,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  /** Public origin of this service: Twilio status callbacks point here and Twilio signs this URL. */
  NOTIFIER_PUBLIC_URL: z.url().default('http://127.0.0.1:8005'),
  /** Short https origin of the debtor-facing pay, dispute and preferences links (templates cap links at 53 characters: this base, `/p/` and a 22-character token). */
  NOTIFIER_LINK_BASE_URL: z
    .url({ protocol: /^https$/ })
    .max(28)
    .default('https://pay.recoup.example'),
  /** First retry delay of a transient provider failure; doubles each time, with jitter, at most an hour. */
  NOTIFIER_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** Sends tried before a transiently failing message goes to the dead-letter queue. */
  NOTIFIER_MAX_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** How long a worker's claim on a job lasts without renewal: a killed worker's jobs return after this. */
  NOTIFIER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.sendgrid(c), providerSpecs.twilio(c)], env);
}
