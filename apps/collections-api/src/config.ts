import { z } from 'zod';
import { baseEnv, port, providerSpecs, serviceAuthEnv, stripeEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';
import { accountingEnv } from './connections/accounting.config';

export const SERVICE = 'collections-api';

export const ConfigSchema = z
  .object({
    ...baseEnv,
    PORT: port(8000),
    HOST: z.string().default('0.0.0.0'),
    ...stripeEnv,
    // Twilio: the retention job deletes expired call recordings at Twilio (libs/providers/telephony CallRecordings).
    ...twilioEnv,
    ...serviceAuthEnv,
    PREDICTION_URL: z.url().default('http://127.0.0.1:8001'),
    PREDICTION_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
    VOICE_AGENT_URL: z.url().default('http://127.0.0.1:8003'),
    COLLECTIONS_API_PUBLIC_URL: z.url().default('http://127.0.0.1:8000'),
    /** The origin of the links in messages (/p /d /c), when it is not COLLECTIONS_API_PUBLIC_URL: the debtor pages' forms post from it. */
    NOTIFIER_LINK_BASE_URL: z.url().optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_JWT_ISSUER: z.string().min(1).optional(),
    AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
    CORS_ORIGINS: z.string().default('http://localhost:3000,http://127.0.0.1:3000'),
    COLLECTIONS_SCAN_CRON: z.string().min(1).default('0 9 * * *'),
    /** Cron (Europe/London) of the daily retention job over every tenant; `off` disables it. */
    RETENTION_CRON: z.string().min(1).default('30 2 * * *'),
    /** AES-256-GCM key for call recordings stored at rest (stored_recordings): 32 bytes, base64. */
    // Accounting sync (issue 19): Xero, QuickBooks, the sandbox books; apps/collections-api/src/connections.
    ...accountingEnv,
    RECORDING_ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'expected 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
  })
  .refine((c) => !c.AUTH_JWKS_URL || (c.AUTH_JWT_ISSUER && c.AUTH_JWT_AUDIENCE), {
    path: ['AUTH_JWT_ISSUER'],
    message: 'AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE',
  });
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.stripe(c), providerSpecs.twilio(c)], env);
}
