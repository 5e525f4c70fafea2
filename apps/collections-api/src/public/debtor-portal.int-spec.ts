import request from 'supertest';
import { mintDebtorLinkToken } from '@recoup/collections';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';
import { PAGE_ORIGIN, csrfOf } from './debtor-pages.testing';

/** The debtor portal (/a/{token}): every open invoice of the debtor with this creditor, pay all / one, plan, query. */
describe('collections-api: debtor portal', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    t = await h.tenant('Northwind Design Ltd');
  });
  afterAll(() => h.close());

  async function debtorWithInvoices(amounts: number[], tenant = t) {
    const client = await h.client(tenant, { name: 'Harbour Bakery Ltd' });
    const invoices: Array<{ id: string; invoice_reference: string }> = [];
    for (const [n, amount] of amounts.entries()) {
      const created = await h.invoice(tenant, { client_id: client.id, amount, invoice_reference: `HB-${n + 1}-${client.id.slice(0, 4)}` });
      invoices.push({ id: created.id, invoice_reference: String(created.invoice_reference) });
    }
    const token = (await mintDebtorLinkToken(h.database.db, { tenantId: tenant.id, invoiceId: invoices[0]!.id })).token;
    return { client, invoices, token };
  }
  /** A form of the portal page, posted as the browser would (its CSRF token, our origin). */
  async function post(token: string, action: string, fields: Record<string, string>) {
    const page = await request(h.app).get(`/a/${token}`);
    return request(h.app)
      .post(`/a/${token}/${action}`)
      .set('Origin', PAGE_ORIGIN)
      .type('form')
      .send({ csrf: csrfOf(page.text), ...fields });
  }
  const invoice = async (id: string) => {
    const row = await h.database.db.invoice.findUniqueOrThrow({ where: { id } });
    return { status: row.status, balance: Math.max(0, row.amountPence - row.paidPence) / 100, amount_paid: row.paidPence / 100 };
  };

  it('lists every open invoice of the debtor with the core’s balance, and nothing of anyone else’s', async () => {
    const d = await debtorWithInvoices([120, 240.5, 360]);
    await request(h.app).post(`/api/invoices/${d.invoices[1]!.id}/payments`).set(t.auth).send({ amount: 40.5 });
    const otherDebtor = await debtorWithInvoices([999]);
    const otherTenant = await h.tenant('Elsewhere Ltd');
    await debtorWithInvoices([777], otherTenant);
    const res = await request(h.app).get(`/a/${d.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    for (const i of d.invoices) expect(res.text).toContain(i.invoice_reference);
    expect(res.text).toContain('£120.00');
    expect(res.text).toContain('£200.00');
    expect(res.text).toContain('£360.00');
    expect(res.text).toContain('Pay all 3 invoices (£680.00)');
    expect(res.text).not.toMatch(/£999\.00|£777\.00|Elsewhere/);
    expect(res.text).not.toContain(otherDebtor.invoices[0]!.id);
    const unknown = await request(h.app).get(`/a/${'x'.repeat(22)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).not.toMatch(/Harbour|Northwind|HB-/);
  });

  it('pay all: one Checkout Session for the total; paying it on the sandbox page pays each invoice at its own balance, once', async () => {
    const d = await debtorWithInvoices([100, 250, 75.25]);
    const pay = await post(d.token, 'pay', { invoice_id: 'all' });
    expect(pay.status).toBe(303);
    const path = new URL(pay.headers.location as string).pathname;
    expect(path).toMatch(/^\/pay\/cs_sandbox_[0-9a-f]{32}$/);
    const again = await post(d.token, 'pay', { invoice_id: 'all' });
    expect(again.headers.location).toBe(pay.headers.location);
    const page = await request(h.app).get(path);
    expect(page.text).toContain('Pay £425.25');
    for (const i of d.invoices) expect(page.text).toContain(i.invoice_reference);
    const paid = await request(h.app)
      .post(path)
      .set('Origin', PAGE_ORIGIN)
      .type('form')
      .send({ csrf: csrfOf(page.text) });
    expect(paid.status).toBe(200);
    for (const [n, amount] of [100, 250, 75.25].entries())
      expect(await invoice(d.invoices[n]!.id)).toMatchObject({ status: 'paid', balance: 0, amount_paid: amount });
    const payments = await h.database.db.payment.findMany({ where: { invoiceId: { in: d.invoices.map((i) => i.id) } } });
    expect(payments.map((p) => p.amountPence).sort((a, b) => a - b)).toEqual([75_25, 100_00, 250_00]);
    // Paying the same page again changes nothing.
    await request(h.app)
      .post(path)
      .set('Origin', PAGE_ORIGIN)
      .type('form')
      .send({ csrf: csrfOf(page.text) });
    expect(await h.database.db.payment.count({ where: { invoiceId: { in: d.invoices.map((i) => i.id) } } })).toBe(3);
    expect((await request(h.app).get(`/a/${d.token}`)).text).toContain('Nothing to pay');
  });

  it('pay one: a link for that invoice’s balance only; another debtor’s invoice id pays nothing', async () => {
    const d = await debtorWithInvoices([100, 200]);
    const other = await debtorWithInvoices([300]);
    const one = await post(d.token, 'pay', { invoice_id: d.invoices[1]!.id });
    expect(one.status).toBe(303);
    const page = await request(h.app).get(new URL(one.headers.location as string).pathname);
    expect(page.text).toContain('Pay £200.00');
    const theirs = await post(d.token, 'pay', { invoice_id: other.invoices[0]!.id });
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain('Nothing to pay');
  });

  it('every form needs the page’s CSRF token and our origin; a malformed field is a 400 naming it', async () => {
    const d = await debtorWithInvoices([100]);
    const page = await request(h.app).get(`/a/${d.token}`);
    const csrf = csrfOf(page.text);
    const body = { csrf, invoice_id: 'all' };
    expect((await request(h.app).post(`/a/${d.token}/pay`).set('Origin', 'https://evil.example').type('form').send(body)).status).toBe(403);
    expect((await request(h.app).post(`/a/${d.token}/pay`).type('form').send(body)).status).toBe(403);
    expect(
      (await request(h.app).post(`/a/${d.token}/pay`).set('Origin', PAGE_ORIGIN).type('form').send({ invoice_id: 'all' })).status,
    ).toBe(403);
    const other = await debtorWithInvoices([50]);
    // A token from another link's page does not open this one's forms.
    const foreign = csrfOf((await request(h.app).get(`/a/${other.token}`)).text);
    expect(
      (await request(h.app).post(`/a/${d.token}/pay`).set('Origin', PAGE_ORIGIN).type('form').send({ csrf: foreign, invoice_id: 'all' }))
        .status,
    ).toBe(403);
    const bad = await request(h.app)
      .post(`/a/${d.token}/plan`)
      .set('Origin', PAGE_ORIGIN)
      .type('form')
      .send({ csrf, invoice_id: d.invoices[0]!.id, instalments: '5', first_payment_date: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.first_payment_date', 'body.instalments']);
    expect(await h.database.db.paymentLink.count({ where: { invoiceId: d.invoices[0]!.id } })).toBe(0);
  });

  it('query one invoice: it is disputed (collection stops), shown as under query and left out of pay all', async () => {
    const d = await debtorWithInvoices([100, 200]);
    const res = await post(d.token, 'dispute', { invoice_id: d.invoices[0]!.id, reason: 'We never received the goods' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/DSP-[0-9A-Z]{4}-/);
    expect((await invoice(d.invoices[0]!.id)).status).toBe('disputed');
    const page = await request(h.app).get(`/a/${d.token}`);
    expect(page.text).toContain('Under query');
    expect(page.text).not.toContain(`Pay ${d.invoices[0]!.invoice_reference}`);
    expect(page.text).toContain(`Pay ${d.invoices[1]!.invoice_reference} (£200.00)`);
    expect(page.text).not.toContain('Pay all');
  });

  it('propose a plan: a proposed monthly plan adding up to the balance to the penny, for the creditor to confirm', async () => {
    const d = await debtorWithInvoices([100]);
    const start = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const res = await post(d.token, 'plan', { invoice_id: d.invoices[0]!.id, instalments: '3', first_payment_date: start });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Proposal received');
    const plan = await h.database.db.paymentPlan.findFirstOrThrow({
      where: { invoiceId: d.invoices[0]!.id },
      include: { installments: true },
    });
    expect(plan).toMatchObject({
      status: 'proposed',
      source: 'debtor_link',
      frequency: 'monthly',
      installmentCount: 3,
      totalPence: 100_00,
    });
    expect(plan.installments.map((i) => i.amountPence).sort()).toEqual([33_33, 33_33, 33_34]);
    const late = await post(d.token, 'plan', { invoice_id: d.invoices[0]!.id, instalments: '3', first_payment_date: '2099-01-01' });
    expect(late.status).toBe(400);
  });
});
