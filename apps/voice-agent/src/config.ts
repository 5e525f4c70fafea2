import { z } from 'zod';
import { E164 } from '@recoup/contracts';
import { baseEnv, flag, port, providerSpecs, openaiEnv, serviceAuthEnv, stripeEnv, twilioEnv } from '@recoup/config';
import { loadServiceConfig } from '@recoup/runtime';

export const SERVICE = 'voice-agent';

const gbp = (fallback: number) => z.coerce.number().nonnegative().max(100).default(fallback);

export const ConfigSchema = z.object({
  ...baseEnv,
  PORT: port(8003),
  HOST: z.string().default('0.0.0.0'),
  ...twilioEnv,
  ...openaiEnv,
  ...stripeEnv,
  INTERNAL_API_TOKEN: serviceAuthEnv.INTERNAL_API_TOKEN,
  /** Public https origin Twilio reaches for TwiML, status callbacks and the media stream. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8003'),
  /** Origin of the payment page links sent during calls (collections-api's pay page in sandbox). */
  COLLECTIONS_API_PUBLIC_URL: z.url().default('http://127.0.0.1:8000'),
  OPENAI_CHAT_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_REALTIME_VOICE: z.string().default('sage'),
  /** Hard limit of one AI call (Twilio timeLimit and our own timer). */
  CALL_MAX_SECONDS: z.coerce.number().int().min(30).max(3600).default(120),
  CALL_RECORDING: flag(true),
  CALL_MACHINE_DETECTION: flag(true),
  /** What an answering machine gets: a short message with no debt details (CONC 7.9.8G), or nothing. */
  CALL_VOICEMAIL: z.enum(['message', 'none']).default('message'),
  /** Per-minute (call, OpenAI Realtime, recording) and per-message (SMS) prices in GBP. */
  PRICE_TWILIO_CALL_PER_MIN: gbp(0.013),
  PRICE_OPENAI_REALTIME_PER_MIN: gbp(0.06),
  PRICE_RECORDING_PER_MIN: gbp(0.002),
  PRICE_SMS: gbp(0.04),
  /**
   * GBP per million Realtime tokens (gpt-realtime list prices in USD x 0.79): the actual cost of a call's Realtime leg
   * comes from its response.done usage; the per-minute price above is only for estimates.
   */
  PRICE_OPENAI_AUDIO_IN_PER_MTOK: z.coerce.number().nonnegative().default(25.3),
  PRICE_OPENAI_AUDIO_OUT_PER_MTOK: z.coerce.number().nonnegative().default(50.6),
  PRICE_OPENAI_TEXT_IN_PER_MTOK: z.coerce.number().nonnegative().default(3.16),
  PRICE_OPENAI_TEXT_OUT_PER_MTOK: z.coerce.number().nonnegative().default(12.64),
  PRICE_OPENAI_CACHED_IN_PER_MTOK: z.coerce.number().nonnegative().default(0.32),
  /** Where a debtor who asks for a person is put through (E.164) when the tenant set no transfer_phone; none: a call back. */
  CALL_TRANSFER_NUMBER: E164.optional(),
  /** realtime: Media Streams bridged to OpenAI Realtime; gather: <Gather> speech turns with a chat model. */
  AI_CALL_FLOW: z.enum(['realtime', 'gather']).default('realtime'),
  AI_CALL_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
});
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(SERVICE, ConfigSchema, (c) => [providerSpecs.twilio(c), providerSpecs.openai(c), providerSpecs.stripe(c)], env);
}
