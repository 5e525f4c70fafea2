import { FakeStripeApi, createTestDatabase, type TestDatabase } from '@recoup/testing';
import {
  PaymentProviderError,
  SandboxPaymentLinks,
  StripePaymentLinks,
  createPaymentLinks,
  createRecordedPaymentLink,
  type PaymentLinkRequest,
  type PaymentLinks,
} from './index';

const request = (over: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest => ({
  tenantId: '11111111-1111-4111-8111-111111111111',
  invoiceId: '22222222-2222-4222-8222-222222222222',
  amountPence: 12_345,
  currency: 'GBP',
  description: 'Invoice INV-1 from Acme Ltd',
  customerEmail: 'payer@example.com',
  idempotencyKey: 'link-inv-1',
  ...over,
});

describe('StripePaymentLinks on a loopback fake of the Stripe API', () => {
  let fake: FakeStripeApi;
  let links: StripePaymentLinks;

  beforeAll(async () => {
    fake = await new FakeStripeApi().start();
    links = new StripePaymentLinks({
      secretKey: 'sk_test_fake123',
      apiBaseUrl: fake.url,
      returnBaseUrl: 'http://127.0.0.1:8000',
      maxNetworkRetries: 0,
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.failWith = undefined;
  });

  it('creates a Checkout Session carrying invoice and tenant metadata, with the idempotency key', async () => {
    const link = await links.create(request({ installmentId: '33333333-3333-4333-8333-333333333333' }));
    expect(link.provider).toBe('stripe');
    expect(link.externalId).toMatch(/^cs_test_/);
    expect(link.url).toBe(`https://checkout.stripe.com/c/pay/${link.externalId}`);
    const [sent] = fake.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/checkout/sessions');
    expect(sent?.headers.authorization).toBe('Bearer sk_test_fake123');
    expect(sent?.headers['idempotency-key']).toBe('link-inv-1');
    expect(sent?.form).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'gbp',
      'line_items[0][price_data][unit_amount]': '12345',
      'line_items[0][price_data][product_data][name]': 'Invoice INV-1 from Acme Ltd',
      customer_email: 'payer@example.com',
      'metadata[invoice_id]': '22222222-2222-4222-8222-222222222222',
      'metadata[tenant_id]': '11111111-1111-4111-8111-111111111111',
      'metadata[installment_id]': '33333333-3333-4333-8333-333333333333',
      'payment_intent_data[metadata][invoice_id]': '22222222-2222-4222-8222-222222222222',
      'payment_intent_data[metadata][tenant_id]': '11111111-1111-4111-8111-111111111111',
      success_url: 'http://127.0.0.1:8000/pay/done?session_id={CHECKOUT_SESSION_ID}',
    });
  });

  it('returns the same session for the same idempotency key', async () => {
    const a = await links.create(request({ idempotencyKey: 'same-key' }));
    const b = await links.create(request({ idempotencyKey: 'same-key' }));
    expect(b.externalId).toBe(a.externalId);
  });

  it('turns Stripe errors into PaymentProviderError with the status and whether to retry', async () => {
    fake.failWith = { status: 400, message: 'Invalid currency' };
    const err = await links.create(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    fake.failWith = { status: 503, message: 'down' };
    expect(await links.create(request()).catch((e: unknown) => e)).toMatchObject({ status: 503, retryable: true });
  });

  it('pings the balance endpoint for /health', async () => {
    await expect(links.ping()).resolves.toBe('up');
    expect(fake.requests[0]?.path).toBe('/v1/balance');
  });
});

describe('SandboxPaymentLinks', () => {
  it('links to the local pay page, the same link for the same key', async () => {
    const links = new SandboxPaymentLinks({ payPageBaseUrl: 'http://127.0.0.1:8000/' });
    const a = await links.create(request());
    expect(a).toEqual({
      provider: 'sandbox',
      externalId: expect.stringMatching(/^cs_sandbox_[0-9a-f]{32}$/),
      url: `http://127.0.0.1:8000/pay/${a.externalId}`,
    });
    expect((await links.create(request())).externalId).toBe(a.externalId);
    expect((await links.create(request({ idempotencyKey: 'other' }))).externalId).not.toBe(a.externalId);
    await expect(links.ping()).resolves.toBe('sandbox');
  });

  it('createPaymentLinks picks the adapter from the mode', () => {
    expect(createPaymentLinks({ mode: 'sandbox', publicBaseUrl: 'http://x' }).provider).toBe('sandbox');
    expect(createPaymentLinks({ mode: 'live', STRIPE_SECRET_KEY: 'sk_test_1', publicBaseUrl: 'http://x' }).provider).toBe('stripe');
    expect(() => createPaymentLinks({ mode: 'live', publicBaseUrl: 'http://x' })).toThrow(/STRIPE_SECRET_KEY/);
  });
});

describe('createRecordedPaymentLink', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('creates the link and records one PaymentLink row per link', async () => {
    const { db } = database;
    const tenant = await db.tenant.create({ data: { name: 'Acme' } });
    const client = await db.client.create({ data: { tenantId: tenant.id, name: 'Debtor Ltd', kind: 'business' } });
    const invoice = await db.invoice.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        reference: 'INV-1',
        amountPence: 5000,
        issueDate: new Date('2026-01-01'),
        dueDate: new Date('2026-02-01'),
      },
    });
    const links: PaymentLinks = new SandboxPaymentLinks({ payPageBaseUrl: 'http://127.0.0.1:8000' });
    const req = request({ tenantId: tenant.id, invoiceId: invoice.id, amountPence: 5000 });
    const row = await createRecordedPaymentLink(db, links, req);
    expect(row).toMatchObject({
      tenantId: tenant.id,
      invoiceId: invoice.id,
      provider: 'sandbox',
      amountPence: 5000,
      currency: 'GBP',
      status: 'open',
    });
    const again = await createRecordedPaymentLink(db, links, req);
    expect(again.id).toBe(row.id);
    expect(await db.paymentLink.count()).toBe(1);
    await expect(createRecordedPaymentLink(db, links, { ...req, amountPence: 0 })).rejects.toThrow(RangeError);
  });
});
