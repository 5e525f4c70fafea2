import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { signStripePayload } from '@recoup/providers/payments';
import { FakeStripeApi } from '@recoup/testing';
import { submitDebtorForm } from '../public/debtor-pages.testing';
import { WEBHOOK_SECRET, createHarness, type Harness, type TenantFixture } from '../testing/harness';

let seq = 0;
function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_test_${++seq}_${Date.now()}`) {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });
}

describe('collections-api: Stripe webhooks, payment links and the sandbox pay page', () => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    a = await h.tenant('Tenant A', 'pro');
    b = await h.tenant('Tenant B', 'pro');
  });
  afterAll(() => h.close());

  const deliver = (payload: string, signature = signStripePayload(payload, WEBHOOK_SECRET)) =>
    request(h.app).post('/api/payments/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(payload);

  const checkoutCompleted = (
    tenantId: string,
    invoiceId: string,
    amountPence: number,
    pi = `pi_${++seq}`,
    extra: Record<string, string> = {},
    currency = 'gbp',
  ) =>
    stripeEvent('checkout.session.completed', {
      id: `cs_test_${seq}`,
      object: 'checkout.session',
      payment_status: 'paid',
      payment_intent: pi,
      amount_total: amountPence,
      currency,
      metadata: { invoice_id: invoiceId, tenant_id: tenantId, ...extra },
    });

  it('refuses a missing, wrong or tampered signature with 400 problem+json and changes nothing', async () => {
    const inv = await h.invoice(a, { amount: 100 });
    const payload = checkoutCompleted(a.id, inv.id, 10_000);
    const missing = await request(h.app).post('/api/payments/stripe').set('Content-Type', 'application/json').send(payload);
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body.errors[0].field).toBe('headers.stripe-signature');
    expect((await deliver(payload, signStripePayload(payload, 'whsec_someone_else'))).status).toBe(400);
    expect((await deliver(payload.replace('10000', '1'), signStripePayload(payload, WEBHOOK_SECRET))).status).toBe(400);
    const stale = signStripePayload(payload, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600);
    expect((await deliver(payload, stale)).status).toBe(400);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body.amount_paid).toBe(0);
  });

  it('checkout.session.completed marks the invoice paid and cancels every pending collection job', async () => {
    const inv = await h.invoice(a, { amount: 120 });
    const queued = await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: inv.id, action: 'email' });
    expect(queued.status).toBe(202);
    const res = await deliver(checkoutCompleted(a.id, inv.id, 12_000));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, result: 'processed', invoice_id: inv.id, invoice_status: 'paid' });
    const invoice = await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth);
    expect(invoice.body).toMatchObject({ status: 'paid', amount_paid: 120, balance: 0 });
    const attempt = await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.body.job_id } });
    expect(attempt).toMatchObject({ status: 'cancelled', failureReason: 'invoice paid' });
    expect(await h.deps.producer.queue('notifications').getJob(queued.body.job_id)).toBeUndefined();
    const payment = await h.database.db.payment.findFirstOrThrow({ where: { invoiceId: inv.id } });
    expect(payment).toMatchObject({ method: 'stripe', amountPence: 12_000, status: 'succeeded' });
  });

  it('a duplicate delivery is answered as before and counts once; payment_intent.succeeded for the same payment too', async () => {
    const inv = await h.invoice(a, { amount: 100 });
    const payload = checkoutCompleted(a.id, inv.id, 4_000, 'pi_dup_1');
    const first = await deliver(payload);
    const again = await deliver(payload);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const pi = await deliver(
      stripeEvent('payment_intent.succeeded', {
        id: 'pi_dup_1',
        object: 'payment_intent',
        amount_received: 4_000,
        currency: 'gbp',
        metadata: { invoice_id: inv.id, tenant_id: a.id },
      }),
    );
    expect(pi.body.result).toBe('duplicate');
    // Even with Redis's record gone, the webhook_events row keeps the event from counting twice.
    await h.redis.del(h.deps.idempotency.key('stripe', JSON.parse(payload).id));
    const afterLoss = await deliver(payload);
    expect(afterLoss.body.result).toBe('duplicate');
    const invoice = await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth);
    expect(invoice.body).toMatchObject({ status: 'partially_paid', amount_paid: 40 });
    expect(await h.database.db.payment.count({ where: { invoiceId: inv.id } })).toBe(1);
    expect(await h.database.db.webhookEvent.count({ where: { eventId: JSON.parse(payload).id } })).toBe(1);
  });

  it('marks a plan instalment paid when the payment carries its id', async () => {
    const inv = await h.invoice(a, { amount: 30 });
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const plan = await request(h.app)
      .post('/api/payment-plans')
      .set(a.auth)
      .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: today, installment_count: 3 });
    const inst = plan.body.installments[0];
    const res = await deliver(checkoutCompleted(a.id, inv.id, 1_000, `pi_inst_${seq}`, { installment_id: inst.id }));
    expect(res.body.invoice_status).toBe('partially_paid');
    const after = await request(h.app).get(`/api/payment-plans/${plan.body.id}`).set(a.auth);
    expect(after.body.installments[0]).toMatchObject({ status: 'paid' });
    expect(after.body.installments[1]).toMatchObject({ status: 'due' });
  });

  it('amounts and currencies are applied as received: 1p pays 1p, JPY is needs_review, a second payment is a credit', async () => {
    const inv = await h.invoice(a, { amount: 500 });
    const penny = await deliver(checkoutCompleted(a.id, inv.id, 1));
    expect(penny.body).toMatchObject({ result: 'processed', invoice_status: 'partially_paid' });
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body).toMatchObject({ balance: 499.99, amount_paid: 0.01 });
    const yen = await deliver(checkoutCompleted(a.id, inv.id, 50_000, `pi_jpy_${seq}`, {}, 'jpy'));
    expect(yen.body).toMatchObject({ result: 'needs_review', invoice_status: 'partially_paid' });
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body).toMatchObject({ balance: 499.99 });
    await deliver(checkoutCompleted(a.id, inv.id, 499_99));
    const again = await deliver(checkoutCompleted(a.id, inv.id, 1));
    expect(again.body).toMatchObject({ result: 'processed', invoice_status: 'paid' });
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body).toMatchObject({
      amount_paid: 500.01,
      credit: 0.01,
      balance: 0,
    });
  });

  it('a 1p payment carrying an instalment id does not pay a £10 instalment; a Checkout Session is paid only by its own amount', async () => {
    const inv = await h.invoice(a, { amount: 30 });
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const plan = await request(h.app)
      .post('/api/payment-plans')
      .set(a.auth)
      .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: today, installment_count: 3 });
    const inst = plan.body.installments[0];
    await deliver(checkoutCompleted(a.id, inv.id, 1, `pi_tiny_${seq}`, { installment_id: inst.id }));
    const after = await request(h.app).get(`/api/payment-plans/${plan.body.id}`).set(a.auth);
    expect(after.body.installments[0]).toMatchObject({ status: 'due' });
    const inv2 = await h.invoice(a, { amount: 120 });
    const link = await request(h.app).post(`/api/invoices/${inv2.id}/payment-link`).set(a.auth);
    expect(link.status).toBe(201);
    const linkRow = await h.database.db.paymentLink.findUniqueOrThrow({ where: { id: link.body.id } });
    const tiny = stripeEvent('checkout.session.completed', {
      id: linkRow.externalId,
      object: 'checkout.session',
      payment_status: 'paid',
      payment_intent: `pi_link_${++seq}`,
      amount_total: 1,
      currency: 'gbp',
      metadata: { invoice_id: inv2.id, tenant_id: a.id },
    });
    await deliver(tiny);
    expect(await h.database.db.paymentLink.findUniqueOrThrow({ where: { id: link.body.id } })).toMatchObject({ status: 'open' });
  });

  it('refunds and chargebacks reopen the invoice', async () => {
    const inv = await h.invoice(a, { amount: 50 });
    await deliver(checkoutCompleted(a.id, inv.id, 5_000, 'pi_refund_1'));
    const refund = await deliver(
      stripeEvent('charge.refunded', { id: 'ch_r1', object: 'charge', payment_intent: 'pi_refund_1', amount_refunded: 2_000 }),
    );
    expect(refund.body).toMatchObject({ result: 'processed', invoice_status: 'partially_paid' });
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body.amount_paid).toBe(30);

    const inv2 = await h.invoice(a, { amount: 70 });
    await deliver(checkoutCompleted(a.id, inv2.id, 7_000, 'pi_dispute_1'));
    const dispute = await deliver(
      stripeEvent('charge.dispute.created', {
        id: 'dp_1',
        object: 'dispute',
        charge: 'ch_d1',
        payment_intent: 'pi_dispute_1',
        amount: 7_000,
      }),
    );
    expect(dispute.body).toMatchObject({ result: 'processed', invoice_status: 'overdue' });
    const reopened = await request(h.app).get(`/api/invoices/${inv2.id}`).set(a.auth);
    expect(reopened.body).toMatchObject({ status: 'overdue', amount_paid: 0, balance: 70 });
  });

  it('a payment naming another tenant’s invoice does not touch it; unknown events are acknowledged and ignored', async () => {
    const inv = await h.invoice(a, { amount: 10 });
    const res = await deliver(checkoutCompleted(b.id, inv.id, 1_000));
    expect(res.body.result).toBe('ignored');
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body.amount_paid).toBe(0);
    const other = await deliver(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(other.status).toBe(200);
    expect(other.body.result).toBe('ignored');
  });

  it('sandbox: the pay page’s Pay button sends a signed Stripe event and the invoice is paid', async () => {
    const inv = await h.invoice(a, { amount: 64.5 });
    const link = await request(h.app).post(`/api/invoices/${inv.id}/payment-link`).set(a.auth);
    const path = new URL(link.body.url).pathname;
    const page = await request(h.app).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Pay £64.50');
    const paid = await submitDebtorForm(h.app, path);
    expect(paid.status).toBe(200);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth)).body.status).toBe('paid');
    const row = await h.database.db.paymentLink.findUniqueOrThrow({ where: { id: link.body.id } });
    expect(row.status).toBe('paid');
    expect(
      await h.database.db.webhookEvent.count({ where: { eventType: 'checkout.session.completed', status: 'processed' } }),
    ).toBeGreaterThan(0);
    // Paying twice does not pay twice.
    await request(h.app).post(path);
    expect(await h.database.db.payment.count({ where: { invoiceId: inv.id } })).toBe(1);
    expect((await request(h.app).get('/pay/cs_sandbox_nonexistent1')).status).toBe(404);
  });
});

describe('collections-api with Stripe live on a loopback fake of the Stripe API', () => {
  let h: Harness;
  let fake: FakeStripeApi;

  beforeAll(async () => {
    fake = await new FakeStripeApi().start();
    h = await createHarness({
      STRIPE_MODE: 'live',
      STRIPE_SECRET_KEY: 'sk_test_gateway',
      STRIPE_API_BASE_URL: fake.url,
      COLLECTIONS_API_PUBLIC_URL: 'https://pay.recoup.example',
    });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('creates a Checkout Session with invoice/tenant metadata and reports Stripe on /health', async () => {
    const t = await h.tenant();
    const inv = await h.invoice(t, { amount: 99.99 });
    const res = await request(h.app).post(`/api/invoices/${inv.id}/payment-link`).set(t.auth);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ provider: 'stripe', amount: 99.99 });
    expect(res.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const sent = fake.requests.find((r) => r.path === '/v1/checkout/sessions');
    expect(sent?.form).toMatchObject({
      'metadata[invoice_id]': inv.id,
      'metadata[tenant_id]': t.id,
      'line_items[0][price_data][unit_amount]': '9999',
      success_url: 'https://pay.recoup.example/pay/done?session_id={CHECKOUT_SESSION_ID}',
    });
    const health = await request(h.app).get('/health');
    expect(health.body.checks.stripe).toBe('up');
    fake.failWith = { status: 500, message: 'down' };
    const down = await request(h.app).get('/health');
    expect(down.status).toBe(503);
    expect(down.body.checks.stripe).toBe('down');
    fake.failWith = undefined;
  });
});

describe('collections-api: Twilio AI-call webhooks are forwarded to the voice agent', () => {
  let h: Harness;
  let voice: Server;
  const seen: Array<{ url?: string; headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    voice = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<Response><Say>Hello</Say></Response>');
      });
    });
    await new Promise<void>((r) => voice.listen(0, '127.0.0.1', r));
    h = await createHarness({
      VOICE_AGENT_URL: `http://127.0.0.1:${(voice.address() as AddressInfo).port}`,
      COLLECTIONS_API_PUBLIC_URL: 'https://api.recoup.example',
    });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => voice.close(r));
  });

  it('keeps the path, query, exact form body, X-Twilio-Signature and the public URL Twilio signed', async () => {
    const form = 'CallSid=CA123&SpeechResult=I+can+pay+on+Friday&Confidence=0.9';
    const res = await request(h.app)
      .post('/api/webhooks/twilio/ai-respond?call_id=abc')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('X-Twilio-Signature', 'sig123=')
      .send(form);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Say>Hello</Say>');
    const got = seen.at(-1);
    expect(got?.url).toBe('/api/webhooks/twilio/ai-respond?call_id=abc');
    expect(got?.body).toBe(form);
    expect(got?.headers['x-twilio-signature']).toBe('sig123=');
    expect(got?.headers['x-original-url']).toBe('https://api.recoup.example/api/webhooks/twilio/ai-respond?call_id=abc');
    expect(got?.headers.authorization).toBe('Bearer internal-token-for-tests-0123456789');
    const collect = await request(h.app).post('/api/webhooks/twilio/ai-collect').type('form').send('CallSid=CA123');
    expect(collect.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/api/webhooks/twilio/ai-collect');
  });

  it('answers TwiML that ends the call politely when the voice agent is unreachable', async () => {
    await new Promise((r) => voice.close(r));
    const res = await request(h.app).post('/api/webhooks/twilio/ai-collect').type('form').send('CallSid=CA9');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Hangup/>');
    voice.listen(0, '127.0.0.1');
  });
});
