import { randomBytes } from 'node:crypto';
import { XERO_FAKE_CLIENT, XeroFake } from '@recoup/testing';
import { AccountingAuthRevoked, AccountingRateLimited, WebhookSignatureError, type ConnectionAuth } from './accounting.port';
import { XeroAccounting } from './xero-accounting';

describe('XeroAccounting on the Xero fake (xero-node pointed at 127.0.0.1)', () => {
  let fake: XeroFake;
  let xero: XeroAccounting;
  const redirectUri = 'http://127.0.0.1:9/api/connections/xero/callback';

  beforeAll(async () => {
    fake = await XeroFake.start();
    xero = new XeroAccounting({
      ...XERO_FAKE_CLIENT,
      identityUrl: fake.identityUrl,
      authorizeUrl: fake.authorizeUrl,
      apiUrl: fake.url,
      maxInlineWaitMs: 1_500,
    });
  });
  afterAll(() => fake.close());

  async function connect(): Promise<ConnectionAuth> {
    const codeVerifier = randomBytes(32).toString('base64url');
    const url = await xero.authorizeUrl({ state: 'state-1', codeVerifier, redirectUri });
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    const consent = await fetch(url, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location') ?? '');
    const { tokens, organisations } = await xero.completeAuthorization({
      query: Object.fromEntries(back.searchParams),
      codeVerifier,
      redirectUri,
    });
    expect(organisations).toEqual([{ externalTenantId: fake.tenantId, name: fake.tenantName }]);
    return { tokens, externalTenantId: fake.tenantId };
  }

  it('exchanges the code only with the PKCE verifier that made the challenge', async () => {
    const url = await xero.authorizeUrl({ state: 's', codeVerifier: 'a'.repeat(43), redirectUri });
    const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
    await expect(
      xero.completeAuthorization({ query: Object.fromEntries(back.searchParams), codeVerifier: 'b'.repeat(43), redirectUri }),
    ).rejects.toThrow(AccountingAuthRevoked);
  });

  it('reads contacts, sales invoices and payments in minor units, and writes a payment back once per payment id', async () => {
    const auth = await connect();
    const contact = fake.addContact('Acme Ltd', 'ap@acme.example');
    const invoice = fake.addInvoice(contact, { number: 'INV-0001', total: 1234.56, date: '2026-10-01', dueDate: '2026-10-31' });
    fake.creditInBooks(invoice, 34.56);
    const changes = await xero.fetchChanges(auth, null);
    expect(changes.contacts).toEqual([expect.objectContaining({ externalId: contact, name: 'Acme Ltd', email: 'ap@acme.example' })]);
    expect(changes.invoices).toEqual([
      expect.objectContaining({ externalId: invoice, reference: 'INV-0001', amountPence: 120_000, creditedPence: 3_456, status: 'open' }),
    ]);
    expect(changes.invoices[0]?.dueDate.toISOString()).toBe('2026-10-31T00:00:00.000Z');
    const payment = {
      paymentId: '7b6a1e7c-5a1b-4c59-9a57-0d2f2b7f9a11',
      invoiceExternalId: invoice,
      amountPence: 120_000,
      currency: 'GBP',
      receivedAt: new Date(),
    };
    const first = await xero.writeBackPayment(auth, payment);
    const again = await xero.writeBackPayment(auth, payment);
    expect(again.externalPaymentId).toBe(first.externalPaymentId);
    expect(fake.paymentsOf(invoice)).toHaveLength(1);
    const put = fake.requests.filter((r) => r.method !== 'GET' && r.path.endsWith('/Payments'));
    expect(put.map((r) => r.headers['idempotency-key'])).toEqual([
      `recoup-payment-${payment.paymentId}`,
      `recoup-payment-${payment.paymentId}`,
    ]);
    expect(JSON.parse(put[0]!.body)).toMatchObject({
      Amount: 1200,
      Reference: `recoup:${payment.paymentId}`,
      Invoice: { InvoiceID: invoice },
    });
    const later = await xero.fetchChanges(auth, changes.asOf);
    expect(later.payments).toEqual([expect.objectContaining({ reference: `recoup:${payment.paymentId}`, amountPence: 120_000 })]);
  });

  it('waits out a short Retry-After on 429, and refuses calls once X-MinLimit-Remaining reaches 0', async () => {
    const auth = await connect();
    fake.replyOnce(/Contacts$/, { status: 429, headers: { 'retry-after': '1', 'x-rate-limit-problem': 'minute' } });
    const before = fake.requests.length;
    await xero.fetchChanges(auth, null);
    const contactCalls = fake.requests.slice(before).filter((r) => r.path.endsWith('/Contacts'));
    expect(contactCalls).toHaveLength(2);
    fake.replyOnce(/Contacts$/, { status: 429, headers: { 'retry-after': '120' } });
    await expect(xero.fetchChanges(auth, null)).rejects.toMatchObject({ name: 'AccountingRateLimited', retryAfterMs: 120_000 });
    fake.minuteRemaining = 0;
    const limited = new XeroAccounting({
      ...XERO_FAKE_CLIENT,
      identityUrl: fake.identityUrl,
      authorizeUrl: fake.authorizeUrl,
      apiUrl: fake.url,
    });
    await expect(limited.fetchChanges(auth, null)).rejects.toThrow(AccountingRateLimited);
    fake.minuteRemaining = 59;
  });

  it('refreshes (rotating the refresh token); a revoked grant is AccountingAuthRevoked, a 401 too', async () => {
    const auth = await connect();
    const refreshed = await xero.refresh(auth.tokens);
    expect(refreshed.refreshToken).not.toBe(auth.tokens.refreshToken);
    await expect(xero.refresh(auth.tokens)).rejects.toThrow(AccountingAuthRevoked);
    fake.oauth.expireAccessTokens();
    await expect(xero.fetchChanges({ ...auth, tokens: refreshed }, null)).rejects.toThrow(AccountingAuthRevoked);
  });

  it('verifies x-xero-signature over the exact bytes: intent-to-receive and events; a bad signature throws', () => {
    const handshake = fake.webhook([]);
    expect(xero.parseWebhook(Buffer.from(handshake.body), { 'x-xero-signature': handshake.signature })).toEqual({ kind: 'handshake' });
    const change = fake.webhook([{ category: 'INVOICE', resourceId: 'inv-1' }]);
    expect(xero.parseWebhook(Buffer.from(change.body), { 'x-xero-signature': change.signature })).toEqual({
      kind: 'changes',
      externalTenantIds: [fake.tenantId],
      entities: [{ type: 'invoice', id: 'inv-1' }],
    });
    const forged = fake.webhook([], 'not-the-key');
    expect(() => xero.parseWebhook(Buffer.from(forged.body), { 'x-xero-signature': forged.signature })).toThrow(WebhookSignatureError);
    expect(() => xero.parseWebhook(Buffer.from(`${change.body} `), { 'x-xero-signature': change.signature })).toThrow(
      WebhookSignatureError,
    );
  });
});
