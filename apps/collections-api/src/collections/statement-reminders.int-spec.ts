import request from 'supertest';
import { ADMIN_KEY, createHarness, type Harness, type TenantFixture } from '../testing/harness';

const ADMIN = { Authorization: `Bearer ${ADMIN_KEY}` };

/** One reminder per debtor: a run's due reminders of one debtor and channel become one statement job. */
describe('collections-api: one reminder per debtor (statements)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    h.prediction.reply = {
      probability: 0.9,
      band: 'gentle_reminder',
      recommendation: 'Gentle reminder',
      explanation: { base_probability: 0.6, factors: [] },
      model_version: 'v-test',
    };
  });
  afterAll(() => h.close());

  async function debtorWithInvoices(t: TenantFixture, n: number) {
    const client = await h.client(t);
    const invoices = [];
    for (let i = 0; i < n; i++) invoices.push(await h.invoice(t, { client_id: client.id, amount: 100 + 50 * i }));
    return { client, invoices: invoices as Array<{ id: string }> };
  }
  const jobsOf = async (tenantId: string) =>
    (await h.deps.producer.queue('notifications').getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (j) => (j.data as { tenant_id?: string }).tenant_id === tenantId,
    );

  it('three due invoices of one debtor: one statement job listing all three, an attempt and a timeline entry per invoice; a lone invoice stays a reminder', async () => {
    const t = await h.tenant('Grouping tenant', 'pro');
    const d = await debtorWithInvoices(t, 3);
    const lone = await h.invoice(t);
    const run = await request(h.app).post('/api/collections/run').set(t.auth).send({});
    expect(run.status).toBe(200);
    expect(run.body.escalated).toBe(4);
    const jobs = await jobsOf(t.id);
    const statements = jobs.filter((j) => j.name === 'statement.send');
    expect(statements).toHaveLength(1);
    expect(statements[0]!.data).toMatchObject({
      client_id: d.client.id,
      channel: 'email',
      template_id: 'statement.email',
      purpose: 'reminder',
    });
    expect([...(statements[0]!.data as { invoice_ids: string[] }).invoice_ids].sort()).toEqual(d.invoices.map((i) => i.id).sort());
    expect(jobs.filter((j) => j.name === 'email.send').map((j) => (j.data as { invoice_id: string }).invoice_id)).toEqual([lone.id]);
    const attempts = await h.database.db.contactAttempt.findMany({ where: { statementJobId: statements[0]!.id } });
    expect(attempts.map((a) => a.invoiceId).sort()).toEqual(d.invoices.map((i) => i.id).sort());
    expect(attempts.every((a) => a.status === 'queued' && a.templateId === 'statement.email' && a.jobId !== statements[0]!.id)).toBe(true);
    for (const inv of d.invoices) {
      const timeline = await request(h.app).get(`/api/invoices/${inv.id}/timeline`).set(t.auth);
      const types = (timeline.body.events as Array<{ type: string; detail: Record<string, unknown> }>).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['statement_queued', 'contact_queued']));
    }
    // A second run the same day finds nothing due: the next look is a week away.
    const again = await request(h.app).post('/api/collections/run').set(t.auth).send({});
    expect(again.body.escalated).toBe(0);
    expect((await jobsOf(t.id)).filter((j) => j.name === 'statement.send')).toHaveLength(1);
  });

  it('a dispute or a payment on one invoice takes it out of the statement; the last one out cancels the statement job', async () => {
    const t = await h.tenant('Dispute tenant', 'pro');
    const d = await debtorWithInvoices(t, 3);
    await request(h.app).post('/api/collections/run').set(t.auth).send({});
    const [statement] = (await jobsOf(t.id)).filter((j) => j.name === 'statement.send');
    const statusOf = async () =>
      Object.fromEntries(
        (await h.database.db.contactAttempt.findMany({ where: { statementJobId: statement!.id } })).map((r) => [r.invoiceId, r.status]),
      );
    const [i0, i1, i2] = d.invoices.map((i) => i.id) as [string, string, string];
    await request(h.app).post(`/api/invoices/${i0}/dispute`).set(t.auth).send({ action: 'open', reason: 'never ordered' });
    await request(h.app).post(`/api/invoices/${i1}/payments`).set(t.auth).send({ amount: 150 });
    expect(await statusOf()).toEqual({ [i0]: 'cancelled', [i1]: 'cancelled', [i2]: 'queued' });
    expect(await h.deps.producer.queue('notifications').getJob(statement!.id!)).toBeTruthy();
    await request(h.app).post(`/api/invoices/${i2}/cancel`).set(t.auth).send({ reason: 'sent in error' });
    expect(await statusOf()).toEqual({ [i0]: 'cancelled', [i1]: 'cancelled', [i2]: 'cancelled' });
    expect(await h.deps.producer.queue('notifications').getJob(statement!.id!)).toBeFalsy();
  });

  it('a disputed invoice is never listed in a statement', async () => {
    const t = await h.tenant('Disputed before tenant', 'pro');
    const d = await debtorWithInvoices(t, 3);
    await request(h.app).post(`/api/invoices/${d.invoices[0]!.id}/dispute`).set(t.auth).send({ action: 'open', reason: 'never ordered' });
    await request(h.app).post('/api/collections/run').set(t.auth).send({});
    expect(await h.database.db.contactAttempt.count({ where: { invoiceId: d.invoices[0]!.id } })).toBe(0);
    for (const j of await jobsOf(t.id)) expect(JSON.stringify(j.data)).not.toContain(d.invoices[0]!.id);
  });

  it('a tenant that keeps one message per invoice gets one reminder each; another tenant’s run touches nothing of it', async () => {
    const t = await h.tenant('Per invoice tenant', 'pro');
    const patched = await request(h.app).patch(`/api/admin/tenants/${t.id}`).set(ADMIN).send({ reminder_grouping: 'per_invoice' });
    expect(patched.status).toBe(200);
    expect(patched.body.reminder_grouping).toBe('per_invoice');
    const bad = await request(h.app).patch(`/api/admin/tenants/${t.id}`).set(ADMIN).send({ reminder_grouping: 'weekly' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.reminder_grouping');
    const d = await debtorWithInvoices(t, 3);
    const other = await h.tenant('Bystander tenant', 'pro');
    await request(h.app).post('/api/collections/run').set(other.auth).send({});
    expect(await jobsOf(t.id)).toHaveLength(0);
    await request(h.app).post('/api/collections/run').set(t.auth).send({});
    const jobs = await jobsOf(t.id);
    expect(jobs.map((j) => j.name)).toEqual(['email.send', 'email.send', 'email.send']);
    expect(jobs.map((j) => (j.data as { invoice_id: string }).invoice_id).sort()).toEqual(d.invoices.map((i) => i.id).sort());
  });
});
