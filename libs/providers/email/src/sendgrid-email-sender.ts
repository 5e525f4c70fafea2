import { randomUUID } from 'node:crypto';
import sendgridClient from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { DeliveryError, kindOfStatus, retryAfterMs } from './delivery-error';
import type { EmailSender, OutboundEmail, SentEmail } from './email-sender.port';

export interface SendGridOptions {
  apiKey: string;
  from: string;
  fromName?: string;
  /** Sends to this origin instead of https://api.sendgrid.com (a loopback fake in tests). */
  baseUrl?: string;
  timeoutMs?: number;
}

type SendGridClient = typeof sendgridClient;
// @sendgrid/client exports a singleton; each sender gets its own instance of the same class.
const ClientClass = sendgridClient.constructor as new () => SendGridClient;

/**
 * SendGrid v3 mail send through the official SDK. SendGrid has no idempotency header, so our
 * send key travels as custom_args (`recoup_message_id`) and comes back on every event; the
 * contact attempt row is what stops a second send (see the notifier README, "Exactly once").
 */
export class SendGridEmailSender implements EmailSender {
  readonly provider = 'sendgrid';
  private readonly mail: MailService;
  private readonly client: SendGridClient;

  constructor(private readonly options: SendGridOptions) {
    const client = new ClientClass();
    this.client = client;
    client.setApiKey(options.apiKey); // sets the regional base URL, so the override comes after it
    if (options.baseUrl) client.setDefaultRequest('baseUrl', options.baseUrl.replace(/\/?$/, '/'));
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(options.timeoutMs ?? 10_000);
  }

  async send(email: OutboundEmail): Promise<SentEmail> {
    try {
      const [response] = await this.mail.send({
        // Our ids ride on the personalization: SendGrid's Mail Send description types the message-level custom_args
        // as a string; per-personalization custom_args is the documented object, and events carry it the same way.
        personalizations: [
          {
            to: email.toName ? { email: email.to, name: email.toName } : email.to,
            customArgs: { ...email.customArgs, recoup_message_id: email.idempotencyKey },
          },
        ],
        from: this.options.fromName ? { email: this.options.from, name: this.options.fromName } : this.options.from,
        subject: email.subject,
        text: email.text,
        html: email.html,
        categories: email.categories,
        headers: { 'X-Recoup-Message-Id': email.idempotencyKey },
      });
      const headers = response.headers as Record<string, string | undefined>;
      const id = headers['x-message-id'] ?? `sendgrid-${randomUUID()}`;
      return { provider: this.provider, providerMessageId: id, costPence: 0, replayed: false };
    } catch (err) {
      throw toDeliveryError(err);
    }
  }
  /**
   * Asks SendGrid's Email Activity API (`GET /v3/messages`, a paid add-on that lags real time by
   * seconds to minutes) for a message carrying our key in its custom args. Errors propagate: the
   * caller decides what an unanswerable question means.
   */
  async findSent(idempotencyKey: string): Promise<SentEmail | null> {
    try {
      const [, body] = await this.client.request({
        method: 'GET',
        url: '/v3/messages',
        qs: { limit: 1, query: `unique_args['recoup_message_id']="${idempotencyKey.replace(/"/g, '')}"` },
      });
      const first = (body as { messages?: Array<{ msg_id?: string }> } | undefined)?.messages?.[0];
      return first?.msg_id
        ? { provider: this.provider, providerMessageId: first.msg_id.split('.')[0] ?? first.msg_id, costPence: 0, replayed: true }
        : null;
    } catch (err) {
      throw toDeliveryError(err);
    }
  }
}

/** SendGrid: 429 and 5xx are worth retrying (honouring Retry-After); other 4xx never succeed on retry. */
export function toDeliveryError(err: unknown): DeliveryError {
  const e = err as {
    code?: unknown;
    message?: string;
    response?: { headers?: Record<string, unknown>; body?: { errors?: Array<{ message?: string; field?: string }> } };
  };
  const status = typeof e.code === 'number' ? e.code : undefined;
  if (status === undefined) return new DeliveryError(`sendgrid unreachable: ${e.message ?? String(err)}`, 'transient');
  const detail = e.response?.body?.errors?.map((x) => [x.field, x.message].filter(Boolean).join(': ')).join('; ');
  return new DeliveryError(`sendgrid answered ${status}${detail ? `: ${detail}` : ''}`, kindOfStatus(status), {
    status,
    code: String(status),
    retryAfterMs: retryAfterMs(e.response?.headers?.['retry-after']),
  });
}
