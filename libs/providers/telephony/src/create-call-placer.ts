import type { Database } from '@recoup/db';
import type { CallPlacer } from './call-placer.port';
import { SandboxCallPlacer, type SandboxCallDriver } from './sandbox-call-placer';
import { TwilioCallPlacer } from './twilio-call-placer';

export interface CallPlacerConfig {
  /** The resolved provider mode for twilio (see resolveProviders). */
  mode: 'live' | 'sandbox';
  db: Database;
  channel?: 'ai_call' | 'ivr_call';
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_API_KEY_SID?: string;
  TWILIO_API_KEY_SECRET?: string;
  TWILIO_FROM_NUMBER?: string;
  TWILIO_API_BASE_URL?: string;
  /** Sandbox only: the fake Twilio that drives our webhooks. */
  sandboxDriver?: SandboxCallDriver;
}

export function createCallPlacer(c: CallPlacerConfig): CallPlacer {
  if (c.mode === 'live') {
    if (!c.TWILIO_ACCOUNT_SID) throw new Error('twilio live mode needs TWILIO_ACCOUNT_SID');
    return new TwilioCallPlacer({
      accountSid: c.TWILIO_ACCOUNT_SID,
      authToken: c.TWILIO_AUTH_TOKEN,
      apiKeySid: c.TWILIO_API_KEY_SID,
      apiKeySecret: c.TWILIO_API_KEY_SECRET,
      baseUrl: c.TWILIO_API_BASE_URL,
      fromNumber: c.TWILIO_FROM_NUMBER,
    });
  }
  return new SandboxCallPlacer({ db: c.db, driver: c.sandboxDriver, fromNumber: c.TWILIO_FROM_NUMBER, channel: c.channel });
}
