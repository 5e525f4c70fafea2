import { z } from 'zod';
import { baseEnv, port, providerSpecs, serviceAuthEnv, stripeEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'collections-api';

export const ConfigSchema = z
  .object({
    ...baseEnv,
    PORT: port(8000),
    HOST: z.string().default('0.0.0.0'),
    ...stripeEnv,
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
  })
  .refine((c) => !c.AUTH_JWKS_URL || (c.AUTH_JWT_ISSUER && c.AUTH_JWT_AUDIENCE), {
    path: ['AUTH_JWT_ISSUER'],
    message: 'AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE',
  });
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.stripe(c)], env);
}
