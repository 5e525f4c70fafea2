import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { signStripePayload } from '@recoup/providers/payments';
import { QUICKBOOKS_FAKE_CLIENT, QuickBooksFake, XERO_FAKE_CLIENT, XeroFake, waitFor } from '@recoup/testing';
import { WEBHOOK_SECRET, createHarness, type Harness, type TenantFixture } from '../testing/harness';
import { startAccountingSync } from './accounting.deps';

const PUBLIC_URL = 'http://127.0.0.1:9';
const iso = (daysFromNow: number) => new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

describe('collections-api: accounting connections on the Xero and QuickBooks fakes', () => {
  let h: Harness;
  let xero: XeroFake;
  let qbo: QuickBooksFake;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    [xero, qbo] = await Promise.all([XeroFake.start(), QuickBooksFake.start()]);
    h = await createHarness({
      COLLECTIONS_API_PUBLIC_URL: PUBLIC_URL,
      ACCOUNTING_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ACCOUNTING_SYNC_EVERY_MINUTES: 'off',
      XERO_CLIENT_ID: XERO_FAKE_CLIENT.clientId,
      XERO_CLIENT_SECRET: XERO_FAKE_CLIENT.clientSecret,
      XERO_WEBHOOK_KEY: XERO_FAKE_CLIENT.webhookKey,
      XERO_IDENTITY_URL: xero.identityUrl,
      XERO_AUTHORIZE_URL: xero.authorizeUrl,
      XERO_API_URL: xero.url,
      QUICKBOOKS_CLIENT_ID: QUICKBOOKS_FAKE_CLIENT.clientId,
      QUICKBOOKS_CLIENT_SECRET: QUICKBOOKS_FAKE_CLIENT.clientSecret,
      QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: QUICKBOOKS_FAKE_CLIENT.webhookVerifierToken,
      QUICKBOOKS_AUTHORIZE_URL: qbo.authorizeUrl,
      QUICKBOOKS_OAUTH_URL: qbo.oauthUrl,
      QUICKBOOKS_API_URL: qbo.url,
    });
    await startAccountingSync(h.deps, 'off');
    a = await h.tenant('Books Tenant A', 'pro');
    b = await h.tenant('Books Tenant B', 'pro');
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([xero.close(), qbo.close()]);
  });

  const connection = (id: string) => h.deps.db.accountingConnection.findUniqueOrThrow({ where: { id } });

  /** Connect through the API and the fake's consent screen; answers once the first sync has finished. */
  async function connect(t: TenantFixture, provider: 'xero' | 'quickbooks'): Promise<string> {
    const started = await request(h.app).post('/api/connections').set(t.auth).send({ provider });
    expect(started.status).toBe(201);
    expect(started.body.connection.status).toBe('pending');
    const consent = await fetch(started.body.authorize_url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    expect(callback.origin + callback.pathname).toBe(`${PUBLIC_URL}/api/connections/${provider}/callback`);
    const done = await request(h.app).get(callback.pathname + callback.search);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'active' });
    expect(JSON.stringify(done.body)).not.toMatch(/at_|rt_|token/i);
    // The state is single use.
    expect((await request(h.app).get(callback.pathname + callback.search)).status).toBe(404);
    const id = done.body.id as string;
    await waitFor(async () => (await connection(id)).lastSyncAt, { what: 'the first sync' });
    return id;
  }

  async function syncNow(t: TenantFixture, id: string): Promise<void> {
    const before = (await connection(id)).lastSyncAt?.getTime() ?? 0;
    const res = await request(h.app).post(`/api/connections/${id}/sync`).set(t.auth);
    expect(res.status).toBe(202);
    await waitFor(async () => ((await connection(id)).lastSyncAt?.getTime() ?? 0) > before, { what: 'a sync' });
  }

  const invoiceOf = (t: TenantFixture, provider: string, externalId: string) =>
    h.deps.db.invoice.findFirstOrThrow({ where: { tenantId: t.id, externalProvider: provider, externalId } });

  async function queuedReminder(t: TenantFixture, invoiceId: string) {
    const res = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: invoiceId, action: 'email' });
    expect(res.status).toBe(202);
    return h.deps.db.contactAttempt.findFirstOrThrow({ where: { invoiceId, status: 'queued' } });
  }

  async function payThroughOurLink(t: TenantFixture, invoiceId: string, pence: number) {
    const payload = JSON.stringify({
      id: `evt_${randomBytes(6).toString('hex')}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          id: `cs_test_${randomBytes(6).toString('hex')}`,
          object: 'checkout.session',
          payment_status: 'paid',
          payment_intent: `pi_${randomBytes(8).toString('hex')}`,
          amount_total: pence,
          currency: 'gbp',
          metadata: { invoice_id: invoiceId, tenant_id: t.id },
        },
      },
    });
    const res = await request(h.app)
      .post('/api/payments/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signStripePayload(payload, WEBHOOK_SECRET))
      .send(payload);
    expect(res.status).toBe(200);
    return h.deps.db.payment.findFirstOrThrow({ where: { invoiceId, method: 'stripe' } });
  }

  it('Xero: connect, import, paid in the books stops the reminder, our payment written back once, conflicts on the timeline, bad webhooks refused, revocation stops it', async () => {
    const acme = xero.addContact('Acme Trading Ltd', 'ap@acme.example');
    const globex = xero.addContact('Globex Ltd', 'ap@globex.example');
    const inv1 = xero.addInvoice(acme, { number: 'INV-1001', total: 1200, date: iso(-40), dueDate: iso(-10) });
    const inv2 = xero.addInvoice(globex, { number: 'INV-1002', total: 450.5, date: iso(-35), dueDate: iso(-5) });
    const inv3 = xero.addInvoice(acme, { number: 'INV-1003', total: 99, date: iso(-30), dueDate: iso(-3) });
    const id = await connect(a, 'xero');

    // Initial import: the contacts as debtors, the invoices overdue, each with its timeline entry.
    const listed = await request(h.app).get('/api/connections').set(a.auth);
    expect(listed.body.data[0]).toMatchObject({
      id,
      provider: 'xero',
      status: 'active',
      organisation: { id: xero.tenantId, name: xero.tenantName },
    });
    expect(listed.body.data[0].last_sync).toMatchObject({ contacts: 2, invoices_created: 3 });
    const one = await invoiceOf(a, 'xero', inv1);
    expect(one).toMatchObject({ reference: 'INV-1001', amountPence: 120_000, status: 'overdue', currency: 'GBP' });
    expect((await invoiceOf(a, 'xero', inv2)).amountPence).toBe(45_050);
    const debtors = await h.deps.db.client.findMany({ where: { tenantId: a.id, externalProvider: 'xero' }, orderBy: { name: 'asc' } });
    expect(debtors.map((d) => [d.name, d.email])).toEqual([
      ['Acme Trading Ltd', 'ap@acme.example'],
      ['Globex Ltd', 'ap@globex.example'],
    ]);

    // Tenant isolation: another tenant sees none of it.
    expect((await request(h.app).get(`/api/connections/${id}`).set(b.auth)).status).toBe(404);
    expect((await request(h.app).post(`/api/connections/${id}/sync`).set(b.auth)).status).toBe(404);
    expect((await request(h.app).get('/api/connections').set(b.auth)).body.data).toEqual([]);

    // Paid in the books: the next sync applies the payment through the core and the queued reminder is cancelled.
    const reminder = await queuedReminder(a, one.id);
    xero.payInBooks(inv1, 1200);
    await syncNow(a, id);
    expect((await invoiceOf(a, 'xero', inv1)).status).toBe('paid');
    expect((await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { id: reminder.id } })).status).toBe('cancelled');
    const booksPayment = await h.deps.db.payment.findFirstOrThrow({ where: { invoiceId: one.id } });
    expect(booksPayment).toMatchObject({ amountPence: 120_000, currency: 'GBP', method: 'books:xero' });

    // A payment through our link is written back to Xero exactly once, and never comes back as a second payment.
    const two = await invoiceOf(a, 'xero', inv2);
    const ours = await payThroughOurLink(a, two.id, 45_050);
    await syncNow(a, id);
    await waitFor(async () => (await h.deps.db.accountingWriteBack.findUnique({ where: { paymentId: ours.id } }))?.status === 'done', {
      what: 'the write-back',
    });
    await h.deps.accounting.scheduler.enqueueWriteBack(ours.id); // a duplicate job id: ignored
    await syncNow(a, id);
    expect(xero.paymentsOf(inv2)).toHaveLength(1);
    expect(xero.paymentsOf(inv2)[0]).toMatchObject({ Amount: 450.5, Reference: `recoup:${ours.id}` });
    const afterSync = await invoiceOf(a, 'xero', inv2);
    expect(afterSync).toMatchObject({ status: 'paid', paidPence: 45_050 });
    const timeline = await request(h.app).get(`/api/invoices/${two.id}/timeline`).set(a.auth);
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.body).match(/payment_written_back/g)).toHaveLength(1);

    // Edited in both places: the books win for the amount and due date, the conflict is on the timeline.
    const three = await invoiceOf(a, 'xero', inv3);
    expect((await request(h.app).patch(`/api/invoices/${three.id}`).set(a.auth).send({ amount: 80 })).status).toBe(200);
    xero.editInBooks(inv3, { total: 150, dueDate: iso(7) });
    await syncNow(a, id);
    expect(await invoiceOf(a, 'xero', inv3)).toMatchObject({ amountPence: 15_000, status: 'open' });
    const conflict = await h.deps.db.invoiceEvent.findFirstOrThrow({ where: { invoiceId: three.id, type: 'sync_conflict' } });
    expect(conflict.detail).toMatchObject({ conflicting: ['amount'], books: { amount_pence: 15_000 }, ours: { amount_pence: 8_000 } });

    // Webhooks: a bad or missing signature is refused (401) and queues nothing; the signed intent-to-receive is 200.
    const change = xero.webhook([{ category: 'INVOICE', resourceId: inv3 }]);
    const forged = xero.webhook([{ category: 'INVOICE', resourceId: inv3 }], 'someone-elses-key');
    const post = (body: string, sig?: string) => {
      const r = request(h.app).post('/api/webhooks/accounting/xero').set('Content-Type', 'application/json');
      return (sig ? r.set('x-xero-signature', sig) : r).send(body);
    };
    const bad = await post(forged.body, forged.signature);
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await post(change.body)).status).toBe(401);
    const itr = xero.webhook([]);
    expect((await post(itr.body, itr.signature)).status).toBe(200);
    expect((await post(JSON.stringify({ events: [] }), 'AAAA')).status).toBe(401);
    const good = await post(change.body, change.signature);
    expect(good.status).toBe(200);
    expect(good.body.queued).toBe(1);

    // Revoked in Xero: the next sync meets 401, the connection stops with a clear status, and sync now is refused.
    xero.oauth.revokeAll();
    await request(h.app).post(`/api/connections/${id}/sync`).set(a.auth);
    await waitFor(async () => (await connection(id)).status === 'revoked', { what: 'revoked status' });
    const revoked = await request(h.app).get(`/api/connections/${id}`).set(a.auth);
    expect(revoked.body).toMatchObject({ status: 'revoked', last_error: expect.stringMatching(/reconnect/) });
    expect((await request(h.app).post(`/api/connections/${id}/sync`).set(a.auth)).status).toBe(409);
    xero.oauth.revoked = false;
  });

  it('QuickBooks: connect, CDC import, paid in the books stops the reminder, our payment written back once, void cancels, bad webhook refused', async () => {
    const customer = qbo.addCustomer('Initech Ltd', 'ap@initech.example');
    const first = qbo.addInvoice(customer, { docNumber: '2001', total: 300, txnDate: iso(-40), dueDate: iso(-12) });
    const second = qbo.addInvoice(customer, { docNumber: '2002', total: 75.25, txnDate: iso(-30), dueDate: iso(-2) });
    const third = qbo.addInvoice(customer, { docNumber: '2003', total: 60, txnDate: iso(-20), dueDate: iso(-1) });
    const id = await connect(b, 'quickbooks');
    const one = await invoiceOf(b, 'quickbooks', first);
    expect(one).toMatchObject({ reference: '2001', amountPence: 30_000, status: 'overdue' });
    expect(await h.deps.db.client.count({ where: { tenantId: b.id, externalProvider: 'quickbooks' } })).toBe(1);

    const reminder = await queuedReminder(b, one.id);
    qbo.payInBooks(first, 300);
    await syncNow(b, id);
    expect((await invoiceOf(b, 'quickbooks', first)).status).toBe('paid');
    expect((await h.deps.db.contactAttempt.findUniqueOrThrow({ where: { id: reminder.id } })).status).toBe('cancelled');

    const two = await invoiceOf(b, 'quickbooks', second);
    const ours = await payThroughOurLink(b, two.id, 7_525);
    // The minute's write-back sweep (run here at once) queues it without waiting for a sync.
    expect(await h.deps.accounting.connections.sweepWriteBacks()).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await h.deps.db.accountingWriteBack.findUnique({ where: { paymentId: ours.id } }))?.status === 'done', {
      what: 'the write-back',
    });
    await h.deps.accounting.connections.writeBack(ours.id); // answered from the done row, no second call
    await syncNow(b, id);
    expect(qbo.paymentsOf(second)).toHaveLength(1);
    expect(qbo.paymentsOf(second)[0]).toMatchObject({ TotalAmt: 75.25, PrivateNote: `recoup:${ours.id}` });
    expect(await invoiceOf(b, 'quickbooks', second)).toMatchObject({ status: 'paid', paidPence: 7_525 });

    qbo.voidInBooks(third);
    await syncNow(b, id);
    expect((await invoiceOf(b, 'quickbooks', third)).status).toBe('cancelled');

    const forged = qbo.webhook([{ name: 'Invoice', id: third }], 'not-the-verifier');
    const refused = await request(h.app)
      .post('/api/webhooks/accounting/quickbooks')
      .set('Content-Type', 'application/json')
      .set('intuit-signature', forged.signature)
      .send(forged.body);
    expect(refused.status).toBe(401);
    const signed = qbo.webhook([{ name: 'Invoice', id: third }]);
    const accepted = await request(h.app)
      .post('/api/webhooks/accounting/quickbooks')
      .set('Content-Type', 'application/json')
      .set('intuit-signature', signed.signature)
      .send(signed.body);
    expect(accepted.body).toMatchObject({ received: true, queued: 1 });

    const gone = await request(h.app).delete(`/api/connections/${id}`).set(b.auth);
    expect(gone.body.status).toBe('disconnected');
    expect((await connection(id)).tokensSealed).toBeNull();
  });

  it('CSV: the dry run reports what would change and changes nothing; the import creates, then an edited file updates', async () => {
    const csv = [
      'Ref,Customer,Email,Total,Due',
      `CSV-1,Hooli Ltd,ap@hooli.example,"1,000.00",${iso(-9)}`,
      `CSV-2,Hooli Ltd,ap@hooli.example,20,${iso(5)}`,
      'CSV-3,,x,5,2026-01-01',
    ].join('\n');
    const mapping = { reference: 'Ref', contact_name: 'Customer', contact_email: 'Email', amount: 'Total', due_date: 'Due' };
    const dry = await request(h.app).post('/api/connections/csv-import').set(a.auth).send({ csv, mapping });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, summary: { create: 2, new_contacts: 1, errors: 1 } });
    expect(dry.body.errors).toEqual([{ line: 4, field: 'contact_name', detail: 'empty' }]);
    expect(await h.deps.db.invoice.count({ where: { tenantId: a.id, externalProvider: 'csv' } })).toBe(0);
    const done = await request(h.app).post('/api/connections/csv-import').set(a.auth).send({ csv, mapping, dry_run: false });
    expect(done.body.summary.create).toBe(2);
    expect(await h.deps.db.invoice.count({ where: { tenantId: a.id, externalProvider: 'csv' } })).toBe(2);
    const edited = csv.replace('"1,000.00"', '900');
    const again = await request(h.app).post('/api/connections/csv-import').set(a.auth).send({ csv: edited, mapping });
    expect(again.body.rows).toEqual([
      { line: 2, reference: 'CSV-1', action: 'update', changes: { amount_pence: { from: 100_000, to: 90_000 } } },
      { line: 3, reference: 'CSV-2', action: 'unchanged', changes: {} },
    ]);
    const bad = await request(h.app)
      .post('/api/connections/csv-import')
      .set(a.auth)
      .send({ csv: '', mapping: { amount: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.csv', 'body.mapping.amount']);
  });

  it('refuses an unknown provider or one without credentials with problem+json naming the field', async () => {
    const unknown = await request(h.app).post('/api/connections').set(a.auth).send({ provider: 'sage' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('body.provider');
    expect((await request(h.app).post('/api/connections').send({ provider: 'xero' })).status).toBe(401);
  });
});
