import { QUICKBOOKS_FAKE_CLIENT, QuickBooksFake } from '@recoup/testing';
import { AccountingAuthRevoked, WebhookSignatureError, type ConnectionAuth } from './accounting.port';
import { QuickBooksAccounting } from './quickbooks-accounting';

describe('QuickBooksAccounting on the QuickBooks fake (intuit-oauth and node-quickbooks pointed at 127.0.0.1)', () => {
  let fake: QuickBooksFake;
  let qbo: QuickBooksAccounting;
  const redirectUri = 'http://127.0.0.1:9/api/connections/quickbooks/callback';

  beforeAll(async () => {
    fake = await QuickBooksFake.start();
    qbo = new QuickBooksAccounting({
      ...QUICKBOOKS_FAKE_CLIENT,
      authorizeUrl: fake.authorizeUrl,
      oauthUrl: fake.oauthUrl,
      apiUrl: fake.url,
    });
  });
  afterAll(() => fake.close());

  async function connect(): Promise<ConnectionAuth> {
    const url = await qbo.authorizeUrl({ state: 'state-q', codeVerifier: 'unused', redirectUri });
    expect(new URL(url).searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
    const { tokens, organisations } = await qbo.completeAuthorization({
      query: Object.fromEntries(back.searchParams),
      codeVerifier: '',
      redirectUri,
    });
    expect(organisations[0]?.externalTenantId).toBe(fake.realmId);
    return { tokens, externalTenantId: fake.realmId };
  }

  it('reads changes with CDC and writes a payment back once per request id', async () => {
    const auth = await connect();
    const customer = fake.addCustomer('Globex Ltd', 'ap@globex.example');
    const invoice = fake.addInvoice(customer, { docNumber: '1037', total: 250.5, txnDate: '2026-10-01', dueDate: '2026-10-31' });
    const changes = await qbo.fetchChanges(auth, null);
    const cdc = fake.requests.find((r) => r.path.endsWith('/cdc'));
    expect(cdc?.query.get('entities')).toBe('Customer,Invoice,Payment');
    expect(changes.contacts).toEqual([expect.objectContaining({ externalId: customer, name: 'Globex Ltd' })]);
    expect(changes.invoices).toEqual([
      expect.objectContaining({ externalId: invoice, reference: '1037', amountPence: 25_050, status: 'open' }),
    ]);
    const payment = {
      paymentId: '0c4f5d3e-8a55-4f4e-9d7b-1f3a2b4c5d6e',
      invoiceExternalId: invoice,
      amountPence: 25_050,
      currency: 'GBP',
      receivedAt: new Date(),
    };
    const first = await qbo.writeBackPayment(auth, payment);
    const again = await qbo.writeBackPayment(auth, payment);
    expect(again.externalPaymentId).toBe(first.externalPaymentId);
    expect(fake.paymentsOf(invoice)).toHaveLength(1);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/payment'));
    expect(posts.map((r) => r.query.get('requestid'))).toEqual([
      `recoup-payment-${payment.paymentId}`,
      `recoup-payment-${payment.paymentId}`,
    ]);
    fake.voidInBooks(invoice);
    const later = await qbo.fetchChanges(auth, changes.asOf);
    expect(later.invoices).toEqual([expect.objectContaining({ externalId: invoice, status: 'voided' })]);
    expect(later.payments).toEqual([expect.objectContaining({ reference: `recoup:${payment.paymentId}` })]);
  });

  it('maps invalid_grant on refresh and a 401 to AccountingAuthRevoked', async () => {
    const auth = await connect();
    const refreshed = await qbo.refresh(auth.tokens);
    expect(refreshed.accessToken).not.toBe(auth.tokens.accessToken);
    fake.oauth.revokeAll();
    await expect(qbo.refresh(refreshed)).rejects.toThrow(AccountingAuthRevoked);
    await expect(qbo.fetchChanges({ ...auth, tokens: refreshed }, null)).rejects.toThrow(AccountingAuthRevoked);
    fake.oauth.revoked = false;
  });

  it('verifies intuit-signature over the exact bytes', () => {
    const good = fake.webhook([{ name: 'Invoice', id: '130' }]);
    expect(qbo.parseWebhook(Buffer.from(good.body), { 'intuit-signature': good.signature })).toEqual({
      kind: 'changes',
      externalTenantIds: [fake.realmId],
      entities: [{ type: 'invoice', id: '130' }],
    });
    const forged = fake.webhook([{ name: 'Invoice', id: '130' }], 'wrong-token');
    expect(() => qbo.parseWebhook(Buffer.from(forged.body), { 'intuit-signature': forged.signature })).toThrow(WebhookSignatureError);
    expect(() => qbo.parseWebhook(Buffer.from(good.body), {})).toThrow(WebhookSignatureError);
  });
});
