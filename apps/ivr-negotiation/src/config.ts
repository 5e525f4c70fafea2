import { z } from 'zod';
import { baseEnv, port, providerSpecs, anthropicEnv, twilioEnv, serviceAuthEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';
import { E164 } from '@recoup/contracts';

export const SERVICE = 'ivr-negotiation';

// The shape of a number in settings; whether it can be dialled is the compliance library's phone rule.
const e164 = E164;

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8004),
  HOST: z.string().default('0.0.0.0'),
  ...twilioEnv,
  ...anthropicEnv,
  ...serviceAuthEnv,
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8004'),
  IVR_SPECIALIST_NUMBER: e164.optional(),
  IVR_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  IVR_CLASSIFIER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_500),
  IVR_VOICE: z.string().min(1).default('Polly.Amy-Neural'),
  IVR_DEFAULT_TERM_MONTHS: z.coerce.number().int().min(1).max(120).default(6),
  IVR_MIN_MONTHLY_PENCE: z.coerce.number().int().min(100).default(1_000),
  IVR_MAX_TERM_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  IVR_SETTLEMENT_DISCOUNT_PERCENT: z.coerce.number().min(0).max(90).default(0),
  IVR_CALL_COST_PENCE: z.coerce.number().int().min(0).default(25),
  IVR_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  /** Record IVR calls (after the recording notice; stopped when the debtor objects). */
  IVR_RECORDING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.twilio(c), providerSpecs.anthropic(c)], env);
}
