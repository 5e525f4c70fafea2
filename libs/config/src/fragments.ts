import { E164 } from '@recoup/contracts';
import { z } from 'zod';

/** A TCP port given as a decimal string, with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const boolFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/ });
const redisUrl = z.url({ protocol: /^rediss?$/ });

/** Every service: runtime, logging, PostgreSQL, Redis, shutdown budget. */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl.default('postgresql://postgres@127.0.0.1:5432/recoup'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key, so several stacks (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]+$/i)
    .default('recoup'),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('100kb'),
  /** Requests in progress at once before a service answers 503 + Retry-After (load shedding). */
  HTTP_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  /** How long a SIGTERM waits for in-flight requests, calls and jobs before closing them. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Liveness probes of PostgreSQL and Redis give up after this long. */
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1_000),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (Prometheus' bearer_token); unset, it is open. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** OpenTelemetry tracing: off unless `otlp` (the standard variable); the exporter reads the endpoint below. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
  /** OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (traces go to <endpoint>/v1/traces). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The traces URL itself, when it is not <endpoint>/v1/traces. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
};

const mode = z.enum(['live', 'sandbox']).optional();

/**
 * Provider credentials are optional. Without them a provider runs in sandbox mode.
 * Webhook-verification secrets are separate: they are used whenever they are set, in either mode.
 */
export const twilioEnv = {
  TWILIO_MODE: mode,
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/i, 'expected AC followed by 32 hex digits')
    .optional(),
  TWILIO_API_KEY_SID: z.string().optional(),
  TWILIO_API_KEY_SECRET: z.string().optional(),
  /** Verifies X-Twilio-Signature on every inbound Twilio webhook, live or sandbox. */
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM_NUMBER: E164.optional(),
  /** Overrides the Twilio API host (the loopback fake in tests). */
  TWILIO_API_BASE_URL: z.url().optional(),
};

export const openaiEnv = {
  OPENAI_MODE: mode,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_REALTIME_MODEL: z.string().default('gpt-realtime'),
};

export const anthropicEnv = {
  ANTHROPIC_MODE: mode,
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  ANTHROPIC_MODEL: z.string().default('claude-sonnet-4-5'),
};

export const stripeEnv = {
  STRIPE_MODE: mode,
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_/, 'expected sk_test_/sk_live_ key')
    .optional(),
  /** Verifies Stripe-Signature on every inbound Stripe webhook, live or sandbox. */
  STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
  STRIPE_API_BASE_URL: z.url().optional(),
};

export const sendgridEnv = {
  SENDGRID_MODE: mode,
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_FROM_EMAIL: z.email().optional(),
  /** Public key (base64 DER) that verifies SendGrid's signed event webhook. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().optional(),
  SENDGRID_API_BASE_URL: z.url().optional(),
};

/** Letters: Stannp print-and-post (libs/providers/letters). */
export const stannpEnv = {
  STANNP_MODE: mode,
  STANNP_API_KEY: z.string().min(1).optional(),
  /** The API region's origin; default Stannp's EU region (UK accounts). */
  STANNP_API_BASE_URL: z.url().optional(),
  /** Verifies X-Stannp-Signature on the mailpiece_status webhook (set the same secret on the webhook in Stannp). */
  STANNP_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Stannp's test mode: letters are produced and priced, never printed or charged. */
  STANNP_TEST: boolFlag.default(false),
  /** Stannp addon codes, comma-separated (e.g. FIRST_CLASS, CONFIDENTIAL). */
  STANNP_ADDONS: z.string().optional(),
};

export const flag = (fallback: boolean) => boolFlag.default(fallback);

/**
 * Service-to-service and operator credentials. `npm start` generates both when unset (sandbox)
 * and prints them; production must set them.
 */
export const serviceAuthEnv = {
  /** The operator's key: `Authorization: Bearer <ADMIN_API_KEY>` creates tenants and reads admin routes. */
  ADMIN_API_KEY: z.string().min(24, 'at least 24 characters').optional(),
  /** Shared bearer token of internal endpoints (voice-agent's /initiate-call, called by collections-api). */
  INTERNAL_API_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
};

type Env<T extends z.ZodRawShape> = z.infer<z.ZodObject<T>>;

/** Which credentials make each provider live (see resolveProviders). */
export const providerSpecs = {
  twilio: (c: Env<typeof twilioEnv>) => ({
    name: 'twilio',
    mode: c.TWILIO_MODE,
    credentials: { TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER: c.TWILIO_FROM_NUMBER },
    alsoNeeds: { 'TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SECRET': c.TWILIO_API_KEY_SECRET ?? c.TWILIO_AUTH_TOKEN },
  }),
  openai: (c: Env<typeof openaiEnv>) => ({ name: 'openai', mode: c.OPENAI_MODE, credentials: { OPENAI_API_KEY: c.OPENAI_API_KEY } }),
  anthropic: (c: Env<typeof anthropicEnv>) => ({
    name: 'anthropic',
    mode: c.ANTHROPIC_MODE,
    credentials: { ANTHROPIC_API_KEY: c.ANTHROPIC_API_KEY },
  }),
  stripe: (c: Env<typeof stripeEnv>) => ({ name: 'stripe', mode: c.STRIPE_MODE, credentials: { STRIPE_SECRET_KEY: c.STRIPE_SECRET_KEY } }),
  sendgrid: (c: Env<typeof sendgridEnv>) => ({
    name: 'sendgrid',
    mode: c.SENDGRID_MODE,
    credentials: { SENDGRID_API_KEY: c.SENDGRID_API_KEY, SENDGRID_FROM_EMAIL: c.SENDGRID_FROM_EMAIL },
  }),
  stannp: (c: Env<typeof stannpEnv>) => ({ name: 'stannp', mode: c.STANNP_MODE, credentials: { STANNP_API_KEY: c.STANNP_API_KEY } }),
};
