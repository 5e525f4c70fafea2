import type { Database } from '@recoup/db';
import type { CallRecordings } from './call-recordings.port';
import { SandboxCallRecordings } from './sandbox-call-recordings';
import { TwilioCallRecordings } from './twilio-call-recordings';

export interface CallRecordingsConfig {
  /** The resolved provider mode for twilio (see resolveProviders). */
  mode: 'live' | 'sandbox';
  db: Database;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_API_KEY_SID?: string;
  TWILIO_API_KEY_SECRET?: string;
  TWILIO_API_BASE_URL?: string;
}

export function createCallRecordings(c: CallRecordingsConfig): CallRecordings {
  if (c.mode === 'live') {
    if (!c.TWILIO_ACCOUNT_SID) throw new Error('twilio live mode needs TWILIO_ACCOUNT_SID');
    return new TwilioCallRecordings({
      accountSid: c.TWILIO_ACCOUNT_SID,
      authToken: c.TWILIO_AUTH_TOKEN,
      apiKeySid: c.TWILIO_API_KEY_SID,
      apiKeySecret: c.TWILIO_API_KEY_SECRET,
      baseUrl: c.TWILIO_API_BASE_URL,
    });
  }
  return new SandboxCallRecordings({ db: c.db });
}
