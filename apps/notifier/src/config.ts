import { z } from 'zod';
import { baseEnv, port, providerSpecs, sendgridEnv, serviceAuthEnv, stannpEnv, twilioEnv, type ProviderDecision } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'notifier';

/** A link base this long keeps every link within the templates' 53 characters (`/p/` and a 22-character token). */
const LINK_BASE_MAX = 28;
const DEFAULT_LINK_BASE = 'https://pay.recoup.example';

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8005),
  HOST: z.string().default('0.0.0.0'),
  ...sendgridEnv,
  ...twilioEnv,
  ...stannpEnv,
  ...serviceAuthEnv,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  /** Public origin of this service: Twilio status callbacks point here and Twilio signs this URL. */
  NOTIFIER_PUBLIC_URL: z.url().default('http://127.0.0.1:8005'),
  /**
   * Short origin of the debtor-facing pay, dispute and preferences links (templates cap links at 53 characters: this base,
   * `/p/` and a 22-character token). Unset: the gateway's public URL in sandbox (no SendGrid or Twilio credentials), so a
   * newcomer can click through from the outbox; https://pay.recoup.example otherwise. https whenever a provider is live.
   */
  NOTIFIER_LINK_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .max(LINK_BASE_MAX)
    .optional(),
  /** The gateway's public origin (it serves /p /d /c): the sandbox's link base. The same value collections-api is given. */
  COLLECTIONS_API_PUBLIC_URL: z.url().default('http://127.0.0.1:8000'),
  /** First retry delay of a transient provider failure; doubles each time, with jitter, at most an hour. */
  NOTIFIER_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** Sends tried before a transiently failing message goes to the dead-letter queue. */
  NOTIFIER_MAX_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** How long a worker's claim on a job lasts without renewal: a killed worker's jobs return after this. */
  NOTIFIER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
});
export type Config = Omit<z.infer<typeof ConfigSchema>, 'NOTIFIER_LINK_BASE_URL'> & { NOTIFIER_LINK_BASE_URL: string };

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  fail?: (message: string) => never,
): { config: Readonly<Config>; providers: ProviderDecision[] } {
  const loaded = loadServiceConfig(
    SERVICE,
    ConfigSchema,
    (c) => [providerSpecs.sendgrid(c), providerSpecs.twilio(c), providerSpecs.stannp(c)],
    env,
    fail,
  );
  const { config, providers } = loaded;
  const sandbox = providers.every((p) => p.mode === 'sandbox');
  const linkBase = (config.NOTIFIER_LINK_BASE_URL ?? (sandbox ? config.COLLECTIONS_API_PUBLIC_URL : DEFAULT_LINK_BASE)).replace(/\/+$/, '');
  const problems = [
    ...(linkBase.length > LINK_BASE_MAX
      ? [
          `NOTIFIER_LINK_BASE_URL: unset, and COLLECTIONS_API_PUBLIC_URL (${linkBase}) is longer than ${LINK_BASE_MAX} characters: set a short link origin`,
        ]
      : []),
    ...(!sandbox && !linkBase.startsWith('https://') ? ['NOTIFIER_LINK_BASE_URL: must be https when a provider is live'] : []),
  ];
  if (problems.length > 0) {
    const message = `${SERVICE}: invalid configuration: ${problems.join('; ')}`;
    if (fail) return fail(message);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  return { config: Object.freeze({ ...config, NOTIFIER_LINK_BASE_URL: linkBase }), providers };
}
