import type { Database } from '@recoup/db';
import type { EmailSender } from './email-sender.port';
import { SandboxEmailSender } from './sandbox-email-sender';
import { SendGridEmailSender } from './sendgrid-email-sender';

export interface EmailSenderConfig {
  mode: 'live' | 'sandbox';
  SENDGRID_API_KEY?: string;
  SENDGRID_FROM_EMAIL?: string;
  SENDGRID_API_BASE_URL?: string;
}

/** The choice is the resolved provider mode (SENDGRID_MODE or inferred from credentials). */
export function createEmailSender(config: EmailSenderConfig, db: Database): EmailSender {
  if (config.mode === 'sandbox') return new SandboxEmailSender(db, config.SENDGRID_FROM_EMAIL);
  if (!config.SENDGRID_API_KEY || !config.SENDGRID_FROM_EMAIL) throw new Error('live email needs SENDGRID_API_KEY and SENDGRID_FROM_EMAIL');
  return new SendGridEmailSender({
    apiKey: config.SENDGRID_API_KEY,
    from: config.SENDGRID_FROM_EMAIL,
    baseUrl: config.SENDGRID_API_BASE_URL,
  });
}
