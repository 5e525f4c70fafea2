import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import type { SmsSender } from '@recoup/providers/sms';

export type FoundAtProvider = { provider: string; providerMessageId: string; costPence: number };

export interface SentAtProviderQuery {
  channel: 'email' | 'sms' | 'letter';
  jobId: string;
  phone: string | null | undefined;
  /** When the earlier run began its send (Twilio is searched from then). */
  since: Date;
  /** The SMS text as the earlier run sent it (Twilio finds a message by its text); undefined if it cannot be rendered. */
  smsText: () => Promise<string | undefined>;
  /** What the caller does when the provider cannot say, for the log. */
  otherwise: string;
}

/**
 * Whether the provider already holds this job's message (an earlier run died after the send and before recording
 * it). null: the provider says no. undefined: it cannot be asked (sandbox adapters and letters have no such query; an
 * SMS that cannot be rendered cannot be looked for) or did not answer.
 */
export async function findSentAtProvider(
  p: { email: EmailSender; sms: SmsSender; logger: Logger },
  q: SentAtProviderQuery,
): Promise<FoundAtProvider | null | undefined> {
  let lookup: Promise<FoundAtProvider | null> | undefined;
  if (q.channel === 'email' && p.email.findSent) lookup = p.email.findSent(q.jobId);
  else if (q.channel === 'sms' && p.sms.findSent && q.phone) {
    const text = await q.smsText();
    if (text !== undefined) lookup = p.sms.findSent({ idempotencyKey: q.jobId, to: q.phone, body: text }, q.since);
  }
  if (!lookup) return undefined;
  return lookup.catch((err: Error) => {
    p.logger.warn(
      { jobId: q.jobId, err: { message: err.message } },
      `could not ask the provider whether this message was sent; ${q.otherwise}`,
    );
    return undefined;
  });
}
