import type { Database } from '@recoup/db';
import { SandboxSmsSender } from './sandbox-sms-sender';
import type { SmsSender } from './sms-sender.port';
import { TwilioSmsSender } from './twilio-sms-sender';

export interface SmsSenderConfig {
  mode: 'live' | 'sandbox';
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_API_KEY_SID?: string;
  TWILIO_API_KEY_SECRET?: string;
  TWILIO_FROM_NUMBER?: string;
  TWILIO_API_BASE_URL?: string;
}

export function createSmsSender(config: SmsSenderConfig, db: Database): SmsSender {
  if (config.mode === 'sandbox') return new SandboxSmsSender(db, config.TWILIO_FROM_NUMBER);
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_FROM_NUMBER) throw new Error('live SMS needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER');
  return new TwilioSmsSender({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    apiKeySid: config.TWILIO_API_KEY_SID,
    apiKeySecret: config.TWILIO_API_KEY_SECRET,
    baseUrl: config.TWILIO_API_BASE_URL,
    from: config.TWILIO_FROM_NUMBER,
  });
}
