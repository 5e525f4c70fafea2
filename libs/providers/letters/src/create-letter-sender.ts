import type { Database } from '@recoup/db';
import type { LetterSender } from './letter-sender.port';
import { SandboxLetterSender } from './sandbox-letter-sender';
import { StannpLetterSender } from './stannp-letter-sender';

export interface LetterSenderConfig {
  mode: 'live' | 'sandbox';
  STANNP_API_KEY?: string;
  STANNP_API_BASE_URL?: string;
  STANNP_TEST?: boolean;
  STANNP_ADDONS?: string;
}

export function createLetterSender(config: LetterSenderConfig, db: Database): LetterSender {
  if (config.mode === 'sandbox') return new SandboxLetterSender(db);
  if (!config.STANNP_API_KEY) throw new Error('live letters need STANNP_API_KEY');
  return new StannpLetterSender({
    apiKey: config.STANNP_API_KEY,
    baseUrl: config.STANNP_API_BASE_URL,
    test: config.STANNP_TEST,
    addons: config.STANNP_ADDONS,
  });
}
