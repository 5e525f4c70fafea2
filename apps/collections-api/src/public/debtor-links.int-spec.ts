import request from 'supertest';
import { mintDebtorLinkToken } from '@recoup/collections';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';
import { PAGE_ORIGIN, csrfOf, submitDebtorForm } from './debtor-pages.testing';

describe('collections-api: debtor links from messages (/p, /d, /c + token)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    t = await h.tenant('Acme Ltd');
  });
  afterAll(() => h.close());

  /** A token as the notifier mints one for a message. */
  const tokenFor = async (invoiceId: string) => (await mintDebtorLinkToken(h.database.db, { tenantId: t.id, invoiceId })).token;

  it('/p/{token} redirects to a payment link for the quoted balance; the sandbox pay page pays it only from its own form', async () => {
    const inv = await h.invoice(t, { amount: 75 });
    await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(t.auth).send({ amount: 25 });
    const token = await tokenFor(inv.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    const res = await request(h.app).get(`/p/${token}`);
    expect(res.status).toBe(302);
    const path = new URL(res.headers.location as string).pathname;
    expect(path).toMatch(/^\/pay\/cs_sandbox_[0-9a-f]{32}$/);
    expect((await request(h.app).get(`/p/${token}`)).headers.location).toBe(res.headers.location);

    const pagePay = await request(h.app).get(path);
    expect(pagePay.text).toContain('Pay £50.00');
    expect(pagePay.headers['referrer-policy']).toBe('same-origin');
    // No CSRF token, or another site's page: nothing is paid.
    expect((await request(h.app).post(path).set('Origin', PAGE_ORIGIN)).status).toBe(403);
    const csrf = csrfOf(pagePay.text);
    expect((await request(h.app).post(path).set('Origin', 'https://evil.example').type('form').send({ csrf })).status).toBe(403);
    expect((await request(h.app).post(path).type('form').send({ csrf })).status).toBe(403);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).body.status).not.toBe('paid');

    expect((await request(h.app).post(path).set('Origin', PAGE_ORIGIN).type('form').send({ csrf })).status).toBe(200);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).body.status).toBe('paid');
    const done = await request(h.app).get(`/p/${token}`);
    expect(done.status).toBe(200);
    expect(done.text).toContain('paid in full');
  });

  it('an old 12-hex link (from a message sent before tokens) and an unknown token show no invoice data', async () => {
    const inv = await h.invoice(t, { amount: 123.45, invoice_reference: 'INV-OLD-LINK' });
    const old = await request(h.app).get(`/p/${inv.id.replace(/-/g, '').slice(0, 12)}`);
    expect(old.status).toBe(410);
    for (const res of [old, await request(h.app).get(`/d/${'x'.repeat(22)}`), await request(h.app).get('/c/not-a-token')]) {
      expect(res.text).toContain('contact the company that wrote to you');
      expect(res.text).not.toMatch(/INV-OLD-LINK|123\.45|Acme|Debtor Ltd/);
    }
    expect((await request(h.app).get(`/c/${'x'.repeat(22)}`)).status).toBe(404);
  });

  it('30 wrong tokens from one address get 429 problem+json with Retry-After; another address is unaffected', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 30; i++) {
      last = await request(h.app)
        .get(`/p/${'A'.repeat(21)}${i % 10}`)
        .set('X-Forwarded-For', '203.0.113.9');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(last?.status).toBe(429);
    expect(last?.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // Even a working link is refused to that address for now; other addresses are not.
    const inv = await h.invoice(t);
    const token = await tokenFor(inv.id);
    expect((await request(h.app).get(`/d/${token}`).set('X-Forwarded-For', '203.0.113.9')).status).toBe(429);
    expect((await request(h.app).get(`/d/${token}`).set('X-Forwarded-For', '203.0.113.10')).status).toBe(200);
  });

  it('/d/{token}: the debtor’s query disputes the invoice, cancels its queued contacts and shows a random DSP- reference', async () => {
    const inv = await h.invoice(t);
    const queued = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'email' });
    expect(queued.status).toBe(202);
    const token = await tokenFor(inv.id);
    const form = await request(h.app).get(`/d/${token}`);
    expect(form.text).toContain('<form method="post">');
    expect(form.text).toContain('Balance: <strong>£500.00</strong>');

    // From another site, or without the form's token: 403 and nothing changes.
    const cross = await request(h.app)
      .post(`/d/${token}`)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'x' });
    expect(cross.status).toBe(403);
    expect((await request(h.app).post(`/d/${token}`).set('Origin', PAGE_ORIGIN).type('form').send({ reason: 'x' })).status).toBe(403);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).body.status).toBe('overdue');

    const res = await submitDebtorForm(h.app, `/d/${token}`, { reason: 'I never received the goods' });
    expect(res.status).toBe(200);
    const dispute = await h.database.db.dispute.findFirstOrThrow({ where: { invoiceId: inv.id } });
    expect(dispute).toMatchObject({ source: 'debtor_link', reason: 'I never received the goods' });
    expect(dispute.reference).toMatch(/^DSP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(res.text).toContain(dispute.reference);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).body.status).toBe('disputed');
    expect((await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.body.job_id } })).status).toBe('cancelled');
  });

  it('/d/{token} quotes the same itemised balance as the messages when the creditor claims late-payment charges', async () => {
    await h.database.db.tenant.update({ where: { id: t.id }, data: { claimsLatePaymentCharges: true } });
    try {
      const inv = await h.invoice(t, { amount: 500, due_date: '2026-02-01' });
      const page = await request(h.app).get(`/d/${await tokenFor(inv.id)}`);
      expect(page.text).toMatch(/£500\.00 unpaid on the invoice, £[\d,.]+ statutory interest and £40\.00 fixed compensation/);
    } finally {
      await h.database.db.tenant.update({ where: { id: t.id }, data: { claimsLatePaymentCharges: false } });
    }
  });

  it('/c/{token}: the page shows the current choices, and only what the debtor ticks or unticks changes', async () => {
    const client = await h.client(t);
    const inv = await h.invoice(t, { client_id: client.id });
    await h.database.db.client.update({
      where: { id: client.id },
      data: { stoppedChannels: ['letter', 'ai_call'], preferredChannel: 'sms' },
    });
    const queued = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' });
    expect(queued.status).toBe(202);
    const token = await tokenFor(inv.id);
    const page = await request(h.app).get(`/c/${token}`);
    expect(page.text).toContain('Do not contact me by');
    expect(page.text).toContain('value="letter" checked');
    expect(page.text).not.toContain('value="calls" checked'); // only AI calls are stopped: "phone calls" is not all stopped
    expect(page.text).not.toContain('value="sms" checked');
    expect(page.text).toContain('<option value="sms" selected>');

    // The debtor ticks text messages, leaves letter ticked and phone calls unticked, and prefers email.
    const res = await submitDebtorForm(h.app, `/c/${token}`, 'stop=letter&stop=sms&shown=letter&preferred=email');
    expect(res.status).toBe(200);
    const after = await request(h.app).get(`/api/clients/${client.id}`).set(t.auth);
    expect(after.body).toMatchObject({ stopped_channels: ['ai_call', 'letter', 'sms'], preferred_channel: 'email' });
    expect((await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.body.job_id } })).status).toBe('cancelled');
    expect(await h.database.db.invoiceEvent.count({ where: { invoiceId: inv.id, type: 'contact_preferences_changed' } })).toBe(1);
    expect((await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' })).status).toBe(
      422,
    );

    // Unticking letter resumes letters only.
    await submitDebtorForm(h.app, `/c/${token}`, 'stop=sms&shown=letter&shown=sms&preferred=email');
    expect((await request(h.app).get(`/api/clients/${client.id}`).set(t.auth)).body.stopped_channels).toEqual(['ai_call', 'sms']);

    const cross = await request(h.app).post(`/c/${token}`).set('Origin', 'https://evil.example').type('form').send('stop=email');
    expect(cross.status).toBe(403);
    expect((await request(h.app).get(`/api/clients/${client.id}`).set(t.auth)).body.stopped_channels).toEqual(['ai_call', 'sms']);
  });
});
