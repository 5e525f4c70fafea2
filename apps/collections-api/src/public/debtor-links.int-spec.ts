import request from 'supertest';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';

const codeOf = (invoiceId: string) => invoiceId.replace(/-/g, '').slice(0, 12);

describe('collections-api: debtor links from messages (/p, /d, /c + code)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    t = await h.tenant('Acme Ltd');
  });
  afterAll(() => h.close());

  it('/p/{code} creates a payment link for the balance and redirects to it; paying it settles the invoice', async () => {
    const inv = await h.invoice(t, { amount: 75 });
    await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(t.auth).send({ amount: 25 });
    const res = await request(h.app).get(`/p/${codeOf(inv.id)}`);
    expect(res.status).toBe(302);
    const path = new URL(res.headers.location as string).pathname;
    expect(path).toMatch(/^\/pay\/cs_sandbox_/);
    const again = await request(h.app).get(`/p/${codeOf(inv.id)}`);
    expect(again.headers.location).toBe(res.headers.location);
    const pagePay = await request(h.app).get(path);
    expect(pagePay.text).toContain('Pay £50.00');
    await request(h.app).post(path);
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).body.status).toBe('paid');
    const done = await request(h.app).get(`/p/${codeOf(inv.id)}`);
    expect(done.status).toBe(200);
    expect(done.text).toContain('paid in full');
  });

  it('unknown and malformed codes', async () => {
    expect((await request(h.app).get('/p/000000000000')).status).toBe(404);
    const bad = await request(h.app).get('/p/not-a-code');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('params.code');
  });

  it('/d/{code}: the debtor’s query disputes the invoice and cancels its queued contacts', async () => {
    const inv = await h.invoice(t);
    const queued = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'email' });
    expect(queued.status).toBe(202);
    const form = await request(h.app).get(`/d/${codeOf(inv.id)}`);
    expect(form.text).toContain('<form method="post"');
    const res = await request(h.app)
      .post(`/d/${codeOf(inv.id)}`)
      .type('form')
      .send({ reason: 'I never received the goods' });
    expect(res.status).toBe(200);
    const after = await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth);
    expect(after.body.status).toBe('disputed');
    expect((await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.body.job_id } })).status).toBe('cancelled');
  });

  it('/c/{code}: stopped channels and the preferred channel are saved, and queued contacts on them cancelled', async () => {
    const inv = await h.invoice(t);
    const queued = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' });
    expect(queued.status).toBe(202);
    expect((await request(h.app).get(`/c/${codeOf(inv.id)}`)).text).toContain('Do not contact me by');
    const res = await request(h.app)
      .post(`/c/${codeOf(inv.id)}`)
      .type('form')
      .send('stop=sms&stop=calls&preferred=email');
    expect(res.status).toBe(200);
    const client = await request(h.app).get(`/api/clients/${inv.client_id}`).set(t.auth);
    expect(client.body).toMatchObject({ stopped_channels: ['ai_call', 'ivr_call', 'sms'], preferred_channel: 'email' });
    expect((await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: queued.body.job_id } })).status).toBe('cancelled');
    const blocked = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' });
    expect(blocked.status).toBe(422);
  });
});
