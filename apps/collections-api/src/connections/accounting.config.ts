import { z } from 'zod';

const optionalUrl = z.url().optional();

/** The accounting sync's environment (collections-api config.ts spreads it). Secrets are masked by loadServiceConfig. */
export const accountingEnv = {
  /** AES-256-GCM key for the connections' OAuth tokens: 32 bytes, base64 (openssl rand -base64 32). Xero and QuickBooks need it. */
  ACCOUNTING_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'expected 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  /** Minutes between scheduled syncs of every live connection; `off` removes the schedule (webhooks and "sync now" still sync). */
  ACCOUNTING_SYNC_EVERY_MINUTES: z.union([z.literal('off'), z.coerce.number().int().min(1).max(1440)]).default(15),
  XERO_CLIENT_ID: z.string().min(1).optional(),
  XERO_CLIENT_SECRET: z.string().min(1).optional(),
  /** Xero developer portal → Webhooks → the webhook key (signs x-xero-signature). */
  XERO_WEBHOOK_KEY: z.string().min(1).optional(),
  XERO_IDENTITY_URL: optionalUrl,
  XERO_AUTHORIZE_URL: optionalUrl,
  XERO_API_URL: optionalUrl,
  /** The bank account code Xero records written-back payments into (default 090). */
  XERO_PAYMENT_ACCOUNT_CODE: z.string().min(1).optional(),
  QUICKBOOKS_CLIENT_ID: z.string().min(1).optional(),
  QUICKBOOKS_CLIENT_SECRET: z.string().min(1).optional(),
  /** Intuit developer portal → Webhooks → the verifier token (signs intuit-signature). */
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: z.string().min(1).optional(),
  QUICKBOOKS_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  QUICKBOOKS_AUTHORIZE_URL: optionalUrl,
  QUICKBOOKS_OAUTH_URL: optionalUrl,
  QUICKBOOKS_API_URL: optionalUrl,
};
