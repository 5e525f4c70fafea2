import { FakeStripeApi, createTestDatabase, type TestDatabase } from '@recoup/testing';
import { SandboxPaymentLinks, StripePaymentLinks, createRecordedPaymentLink, type PaymentLinkRequest } from './index';

const TENANT = '11111111-1111-4111-8111-111111111111';
const A = '22222222-2222-4222-8222-222222222222';
const B = '44444444-4444-4444-8444-444444444444';
const payAll = (over: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest => ({
  tenantId: TENANT,
  invoiceId: A,
  amountPence: 300_50,
  currency: 'GBP',
  description: '2 invoices from Acme Ltd',
  idempotencyKey: 'pay-all-1',
  lineItems: [
    { invoiceId: A, amountPence: 100_00, description: 'Invoice INV-1' },
    { invoiceId: B, amountPence: 200_50, description: 'Invoice INV-2' },
  ],
  ...over,
});

/** The debtor portal's pay-all link: one Checkout Session with a line per invoice, recorded with each invoice's share. */
describe('pay-all payment links', () => {
  let fake: FakeStripeApi;
  let t: TestDatabase;

  beforeAll(async () => {
    fake = await new FakeStripeApi().start();
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await fake.close();
    await t?.drop();
  });

  it('Stripe: one line per invoice at its amount, and metadata naming the tenant but no single invoice', async () => {
    const links = new StripePaymentLinks({
      secretKey: 'sk_test_fake123',
      apiBaseUrl: fake.url,
      returnBaseUrl: 'http://127.0.0.1:8000',
      maxNetworkRetries: 0,
    });
    await links.create(payAll());
    const sent = fake.requests.at(-1);
    expect(sent?.form).toMatchObject({
      'line_items[0][price_data][unit_amount]': '10000',
      'line_items[0][price_data][product_data][name]': 'Invoice INV-1',
      'line_items[1][price_data][unit_amount]': '20050',
      'line_items[1][price_data][product_data][name]': 'Invoice INV-2',
      'metadata[tenant_id]': TENANT,
      'metadata[payment_kind]': 'pay_all',
      'payment_intent_data[metadata][payment_kind]': 'pay_all',
    });
    expect(sent?.form['metadata[invoice_id]']).toBeUndefined();
  });

  it('records the link with each invoice’s share, and refuses lines that do not add up', async () => {
    const tenant = await t.db.tenant.create({ data: { id: TENANT, name: 'Acme Ltd' } });
    const client = await t.db.client.create({ data: { tenantId: tenant.id, name: 'Jo', kind: 'business' } });
    for (const [id, ref] of [
      [A, 'INV-1'],
      [B, 'INV-2'],
    ] as const)
      await t.db.invoice.create({
        data: {
          id,
          tenantId: tenant.id,
          clientId: client.id,
          reference: ref,
          amountPence: 500_00,
          issueDate: new Date(),
          dueDate: new Date(),
        },
      });
    const links = new SandboxPaymentLinks({ payPageBaseUrl: 'http://127.0.0.1:8000', idKey: 'k' });
    const row = await createRecordedPaymentLink(t.db, links, payAll());
    expect(row).toMatchObject({
      invoiceId: A,
      amountPence: 300_50,
      allocations: [
        { invoice_id: A, amount_pence: 100_00 },
        { invoice_id: B, amount_pence: 200_50 },
      ],
    });
    await expect(createRecordedPaymentLink(t.db, links, payAll({ amountPence: 300_00, idempotencyKey: 'x' }))).rejects.toThrow(/add up/);
  });
});
