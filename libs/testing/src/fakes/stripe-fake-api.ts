import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNoViolations } from '../vendor-contract/openapi-contract';
import { stripeShapeErrors } from '../vendor-contract/stripe-fixtures';

export interface FakeStripeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The form fields the SDK sent, flat as on the wire (`line_items[0][price_data][unit_amount]`). */
  form: Record<string, string>;
}

/**
 * A loopback stand-in for api.stripe.com: Checkout Sessions (honouring Idempotency-Key the way
 * Stripe does) and the balance endpoint, recording every request the SDK sends.
 */
export class FakeStripeApi {
  readonly requests: FakeStripeRequest[] = [];
  /** Answers whose objects are not shaped like Stripe's own examples (libs/testing/vendor-specs); each became a 500. */
  readonly violations: string[] = [];
  /** Set to make the next requests fail with this status and a Stripe error body. */
  failWith?: { status: number; message: string };
  private readonly idempotent = new Map<string, unknown>();
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const form = Object.fromEntries(new URLSearchParams(body));
        this.requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, form });
        const send = (status: number, json: unknown) => {
          // Every object this fake answers is held to Stripe's example object of its kind.
          const object = (json as { object?: unknown }).object;
          const wrong = status < 300 && typeof object === 'string' ? stripeShapeErrors(object, json) : [];
          this.violations.push(...wrong);
          res.writeHead(wrong.length > 0 ? 500 : status, {
            'content-type': 'application/json',
            'request-id': `req_${randomBytes(6).toString('hex')}`,
          });
          res.end(JSON.stringify(wrong.length > 0 ? { error: { type: 'api_error', message: wrong.join('; ') } } : json));
        };
        if (!/^Bearer sk_(test|live)_/.test(req.headers.authorization ?? ''))
          return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
        if (this.failWith) return send(this.failWith.status, { error: { type: 'api_error', message: this.failWith.message } });
        if (req.method === 'GET' && url.pathname === '/v1/balance')
          return send(200, { object: 'balance', available: [], pending: [], livemode: false });
        if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
          const key = req.headers['idempotency-key'];
          const cached = typeof key === 'string' ? this.idempotent.get(key) : undefined;
          if (cached) return send(200, cached);
          const id = `cs_test_${randomBytes(12).toString('hex')}`;
          const metadata = Object.fromEntries(
            Object.entries(form)
              .filter(([k]) => k.startsWith('metadata['))
              .map(([k, v]) => [k.slice('metadata['.length, -1), v]),
          );
          const session = {
            id,
            object: 'checkout.session',
            mode: form.mode,
            amount_total: Number(form['line_items[0][price_data][unit_amount]'] ?? 0),
            currency: form['line_items[0][price_data][currency]'],
            customer_email: form.customer_email ?? null,
            metadata,
            payment_status: 'unpaid',
            status: 'open',
            url: `https://checkout.stripe.com/c/pay/${id}`,
          };
          if (typeof key === 'string') this.idempotent.set(key, session);
          return send(200, session);
        }
        return send(404, {
          error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` },
        });
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return this;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeStripeApi is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((r) => server.close(() => r()));
    assertNoViolations('Stripe', this.violations);
  }
}
