import { z } from 'zod';
import { baseEnv, port, serviceAuthEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'prediction';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8001),
  HOST: z.string().default('0.0.0.0'),
  /** /predict, /predict/batch and /model take the gateway's INTERNAL_API_TOKEN, the ADMIN_API_KEY or a tenant API key. */
  ...serviceAuthEnv,
  /** Where versioned model files live; the newest valid one is loaded at start-up. */
  MODEL_DIR: z.string().default('apps/prediction/models'),
  /** Bearer token of POST /model/train; unset disables training over HTTP (the nightly job still runs). */
  PREDICTION_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Cron pattern (UTC) of the repeatable training job; "off" disables it. */
  PREDICTION_TRAIN_CRON: z
    .string()
    .regex(/^(off|(\S+\s+){4,5}\S+)$/, 'a cron pattern of 5 or 6 fields, or off')
    .default('0 3 * * *'),
  /** A database training run with fewer labelled examples keeps the current model. */
  PREDICTION_MIN_TRAINING_ROWS: z.coerce.number().int().min(10).default(200),
  /** This service's body limit: a batch of 10,000 invoices is about 3 MB of JSON. */
  PREDICTION_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('8mb'),
  /** Threads for training and large batches (the forest's worker pool); 1 keeps everything in the event loop thread. */
  PREDICTION_THREADS: z.coerce.number().int().min(1).max(64).default(2),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, () => [], env);
}
