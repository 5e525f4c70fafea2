import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiContract, fieldsOf, assertNoViolations } from '../vendor-contract/openapi-contract';

export interface TwilioMessagingFakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
  accepted: boolean;
  sid?: string;
  at?: Date;
}

export interface TwilioMessagingFakeReply {
  status: number;
  code?: number;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * A loopback fake of Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json): records
 * the form the SDK sends and answers 201 with a message SID, or the next scripted error.
 */
export class TwilioMessagingFake {
  readonly requests: TwilioMessagingFakeRequest[] = [];
  /** Requests and answers that broke Twilio's own API description (libs/testing/vendor-specs); each request got Twilio's 400. */
  readonly violations: string[] = [];
  private readonly contract = OpenApiContract.load('twilio');
  private readonly replies: TwilioMessagingFakeReply[] = [];
  private server?: Server;

  static async start(): Promise<TwilioMessagingFake> {
    const fake = new TwilioMessagingFake();
    await fake.listen();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  reply(...replies: TwilioMessagingFakeReply[]): void {
    this.replies.push(...replies);
  }

  /** Messages accepted (201); list requests are not sends. */
  accepted(): TwilioMessagingFakeRequest[] {
    return this.requests.filter((r) => r.accepted);
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const form = Object.fromEntries(params);
        const record: TwilioMessagingFakeRequest = {
          method: req.method ?? '',
          path: (req.url ?? '').split('?')[0] ?? '',
          headers: req.headers,
          form,
          accepted: false,
        };
        this.requests.push(record);
        const invalid = this.contract.checkRequest({
          method: record.method,
          path: record.path,
          query: new URL(req.url ?? '', 'http://fake').searchParams,
          body: record.method === 'POST' ? fieldsOf(params) : undefined,
          contentType: req.headers['content-type'],
        });
        if (invalid.length > 0) {
          this.violations.push(...invalid);
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              code: 21601,
              message: invalid.join('; '),
              status: 400,
              more_info: 'https://www.twilio.com/docs/errors/21601',
            }),
          );
          return;
        }
        const answer = (status: number, body: unknown) => {
          const wrong = this.contract.checkResponse(record.method, record.path, status, body);
          this.violations.push(...wrong.map((w) => `fake answer: ${w}`));
          res.writeHead(wrong.length > 0 ? 500 : status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(wrong.length > 0 ? { message: wrong.join('; ') } : body));
        };
        if (req.method === 'GET' && record.path.endsWith('/Messages.json')) {
          // Message list, newest first, filtered by To and From as Twilio does.
          const q = new URL(req.url ?? '', 'http://fake').searchParams;
          const messages = this.requests
            .filter((r) => r.accepted && (!q.get('To') || r.form.To === q.get('To')) && (!q.get('From') || r.form.From === q.get('From')))
            .reverse()
            .map((r) => ({
              sid: r.sid,
              to: r.form.To,
              from: r.form.From,
              body: r.form.Body,
              status: 'sent',
              date_created: (r.at ?? new Date()).toUTCString(),
              num_segments: '1',
            }));
          answer(200, {
            messages,
            page: 0,
            page_size: 50,
            start: 0,
            end: messages.length,
            first_page_uri: record.path,
            next_page_uri: null,
            previous_page_uri: null,
            uri: record.path,
          });
          return;
        }
        const scripted = this.replies.shift();
        if (scripted) {
          res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
          res.end(
            JSON.stringify({
              code: scripted.code ?? scripted.status,
              message: scripted.message ?? `scripted ${scripted.status}`,
              status: scripted.status,
              more_info: 'https://www.twilio.com/docs/errors',
            }),
          );
          return;
        }
        record.accepted = true;
        record.at = new Date();
        record.sid = `SM${randomBytes(16).toString('hex')}`;
        answer(201, {
          sid: record.sid,
          status: 'queued',
          to: form.To,
          from: form.From,
          body: form.Body,
          num_segments: '1',
          price: null,
        });
      });
    });
    return new Promise((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    assertNoViolations('Twilio', this.violations);
  }
}
