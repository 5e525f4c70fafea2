import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiContract, assertNoViolations } from '../vendor-contract/openapi-contract';

export interface SendGridFakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface SendGridFakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A loopback fake of SendGrid's v3 Mail Send (POST /v3/mail/send): records every request the SDK
 * sends and answers 202 with an X-Message-Id, or the next scripted reply (a 429, a 500, a 400).
 */
export class SendGridFake {
  readonly requests: SendGridFakeRequest[] = [];
  /** Requests and answers that broke SendGrid's own API descriptions (libs/testing/vendor-specs); each request got a 400. */
  readonly violations: string[] = [];
  private readonly replies: SendGridFakeReply[] = [];
  private server?: Server;

  static async start(): Promise<SendGridFake> {
    const fake = new SendGridFake();
    await fake.listen();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** The next requests get these replies, in order; afterwards 202 again. */
  reply(...replies: SendGridFakeReply[]): void {
    this.replies.push(...replies);
  }

  /** Mail sends accepted (202), by our message id (custom_args.recoup_message_id); Email Activity lookups are not sends. */
  deliveries(): string[] {
    return this.requests
      .filter((r) => r.path === '/v3/mail/send' && (r as SendGridFakeRequest & { accepted?: boolean }).accepted)
      .map((r) => String(customArgsOf(r.body).recoup_message_id));
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          body = {};
        }
        const record: SendGridFakeRequest & { accepted?: boolean } = {
          method: req.method ?? '',
          path: (req.url ?? '').split('?')[0] ?? '',
          headers: req.headers,
          body,
        };
        this.requests.push(record);
        const contract = OpenApiContract.load(record.path.startsWith('/v3/messages') ? 'sendgrid-activity' : 'sendgrid-mail');
        const invalid = contract.checkRequest({
          method: record.method,
          path: record.path,
          query: new URL(req.url ?? '', 'http://fake').searchParams,
          body: record.method === 'GET' ? undefined : body,
          contentType: req.headers['content-type'],
        });
        if (invalid.length > 0) {
          this.violations.push(...invalid);
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: invalid.map((message) => ({ message, field: null, help: null })) }));
          return;
        }
        if (req.method === 'GET' && record.path === '/v3/messages') {
          // Email Activity: `query=unique_args['recoup_message_id']="<key>"` finds accepted sends carrying that key.
          const query = new URL(req.url ?? '', 'http://fake').searchParams.get('query') ?? '';
          const key = /unique_args\['recoup_message_id'\]="([^"]*)"/.exec(query)?.[1];
          const messages = this.requests
            .filter(
              (r) =>
                (r as { accepted?: boolean }).accepted &&
                r.path === '/v3/mail/send' &&
                String(customArgsOf(r.body).recoup_message_id) === key,
            )
            .map((r) => {
              const to = ((r.body.personalizations as Array<{ to?: Array<{ email?: string }> }> | undefined)?.[0]?.to ?? [])[0]?.email;
              return {
                from_email: String((r.body.from as { email?: string } | undefined)?.email ?? ''),
                msg_id: `${(r as { messageId?: string }).messageId}.filter0001.1.0`,
                subject: String(r.body.subject ?? ''),
                to_email: String(to ?? ''),
                status: 'delivered',
                opens_count: 0,
                clicks_count: 0,
                last_event_time: new Date().toISOString(),
              };
            });
          const answer = { messages };
          const wrong = contract.checkResponse('GET', record.path, 200, answer);
          this.violations.push(...wrong.map((w) => `fake answer: ${w}`));
          res.writeHead(wrong.length > 0 ? 500 : 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(wrong.length > 0 ? { errors: wrong.map((message) => ({ message })) } : answer));
          return;
        }
        const scripted = this.replies.shift();
        if (scripted) {
          res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
          res.end(JSON.stringify(scripted.body ?? { errors: [{ message: `scripted ${scripted.status}` }] }));
          return;
        }
        record.accepted = true;
        const messageId = randomBytes(11).toString('base64url');
        (record as { messageId?: string }).messageId = messageId;
        res.writeHead(202, { 'x-message-id': messageId });
        res.end();
      });
    });
    return new Promise((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    assertNoViolations('SendGrid', this.violations);
  }
}

/** custom_args of the first personalization (where @sendgrid/mail puts them) or of the message. */
export function customArgsOf(body: Record<string, unknown>): Record<string, unknown> {
  const p = (body.personalizations as Array<Record<string, unknown>> | undefined)?.[0];
  return { ...((body.custom_args as Record<string, unknown>) ?? {}), ...((p?.custom_args as Record<string, unknown>) ?? {}) };
}
