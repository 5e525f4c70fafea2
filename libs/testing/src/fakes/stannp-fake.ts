import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StannpFakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Form fields of a POST (the PDF as its byte length and first bytes). */
  fields: Record<string, string>;
  pdf?: { bytes: number; head: string; type: string };
}

export interface StannpFakeLetter {
  id: string;
  idempotencyKey?: string;
  country: string;
  status: string;
  test: boolean;
  pdfBytes: number;
}

/**
 * A loopback fake of Stannp's letters API as documented (https://www.stannp.com/uk/direct-mail-api/letters):
 * `POST /v1/letters/post` (multipart, a pre-addressed PDF), `GET /v1/letters/get/:id`, HTTP basic with the API key
 * as user name, `idempotency_key` answered 409 with the original letter, `{success, data}` / `{success: false, error}`
 * bodies, and signed `mailpiece_status` webhooks (X-Stannp-Signature: hex HMAC-SHA256 of the body).
 */
export class StannpFake {
  readonly requests: StannpFakeRequest[] = [];
  readonly letters = new Map<string, StannpFakeLetter>();
  private readonly replies: Array<{ status: number; body: unknown }> = [];
  private server?: Server;
  private nextId = 16818200;

  constructor(readonly apiKey = 'stannp_test_key_0123456789') {}

  static async start(apiKey?: string): Promise<StannpFake> {
    const fake = new StannpFake(apiKey);
    await fake.listen();
    return fake;
  }

  /** The base URL the adapter is given (STANNP_API_BASE_URL). */
  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/v1`;
  }

  /** The next API calls get these replies, in order (e.g. a 500, a 429, a 400 with Stannp's error body). */
  reply(...replies: Array<{ status: number; body: unknown }>): void {
    this.replies.push(...replies);
  }

  /** Letters accepted for posting (not counting idempotent replays). */
  posted(): StannpFakeLetter[] {
    return [...this.letters.values()];
  }

  /** Moves a letter on and delivers Stannp's signed webhook for it; resolves with our endpoint's HTTP status. */
  async advance(id: string, status: string, webhook: { url: string; secret: string; signature?: string }): Promise<number> {
    const letter = this.letters.get(id);
    if (letter) letter.status = status;
    const body = JSON.stringify({
      webhook_id: 1234,
      event: 'mailpiece_status',
      created: new Date().toISOString().slice(0, 19).replace('T', ' '),
      retries: 0,
      mailpieces: [{ id: Number(id), status, tracking_reference: `RM${id}GB` }],
    });
    const res = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-stannp-signature': webhook.signature ?? createHmac('sha256', webhook.secret).update(body).digest('hex'),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks)).then(({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        });
      });
    });
    this.server = server;
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  }

  private async handle(method: string, url: string, headers: IncomingHttpHeaders, raw: Buffer): Promise<{ status: number; body: unknown }> {
    const path = new URL(url, 'http://stannp.local').pathname;
    const record: StannpFakeRequest = { method, path, headers, fields: {} };
    this.requests.push(record);
    if (headers.authorization !== `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`) {
      return { status: 401, body: { success: false, error: 'You do not have permission to access this resource' } };
    }
    const scripted = this.replies.shift();
    if (scripted) return scripted;
    const get = /^\/v1\/letters\/get\/([^/]+)$/.exec(path);
    if (method === 'GET' && get) {
      const letter = this.letters.get(decodeURIComponent(get[1] ?? ''));
      if (!letter) return { status: 404, body: { success: false, error: 'Mailpiece not found' } };
      return {
        status: 200,
        body: {
          success: true,
          data: { id: letter.id, status: letter.status, type: 'letter', format: 'A4', country: letter.country, cost: '0.71' },
        },
      };
    }
    if (method !== 'POST' || path !== '/v1/letters/post') return { status: 404, body: { success: false, error: 'Not found' } };
    // Parsed as any Fetch Request parses multipart/form-data (undici): the same parser a real server's framework uses.
    const form = await new Request('http://stannp.local/', {
      method: 'POST',
      headers: headers as Record<string, string>,
      body: new Uint8Array(raw),
    }).formData();
    const files: Array<Promise<void>> = [];
    form.forEach((value, key) => {
      if (typeof value === 'string') record.fields[key] = value;
      else
        files.push(
          value.arrayBuffer().then((data) => {
            const bytes = Buffer.from(data);
            record.pdf = { bytes: bytes.length, head: bytes.subarray(0, 5).toString('latin1'), type: value.type };
          }),
        );
    });
    await Promise.all(files);
    if (!record.pdf || record.pdf.head !== '%PDF-') return { status: 400, body: { success: false, error: 'pdf: a PDF file is required' } };
    const country = record.fields.country ?? '';
    if (!/^[A-Z]{2}$/.test(country)) return { status: 400, body: { success: false, error: 'country: an ISO alpha-2 code is required' } };
    const key = record.fields.idempotency_key;
    const earlier = key ? [...this.letters.values()].find((l) => l.idempotencyKey === key) : undefined;
    if (earlier) return { status: 409, body: this.created(earlier) };
    const test = record.fields.test === 'true' || record.fields.test === '1';
    const letter: StannpFakeLetter = {
      id: String(this.nextId++),
      idempotencyKey: key,
      country,
      status: test ? 'test' : 'received',
      test,
      pdfBytes: record.pdf.bytes,
    };
    this.letters.set(letter.id, letter);
    return { status: 200, body: this.created(letter) };
  }

  private created(letter: StannpFakeLetter) {
    return {
      success: true,
      data: {
        pdf: `https://www.stannp.com/assets/letters/${letter.id}.pdf`,
        id: letter.id,
        created: new Date().toISOString(),
        format: 'A4',
        cost: '0.71',
        status: letter.status,
      },
    };
  }
}
