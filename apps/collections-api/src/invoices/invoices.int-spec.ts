import request from 'supertest';
import { recordQueuedContact } from '@recoup/collections';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';

describe('collections-api: clients and invoices', () => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    a = await h.tenant('Tenant A');
    b = await h.tenant('Tenant B');
  });
  afterAll(() => h.close());

  describe('clients', () => {
    it('flagging a debtor vulnerable, or starting a breathing space, cancels what is queued and says so on the timeline', async () => {
      const inv = await h.invoice(a, { amount: 90 });
      const queued = await recordQueuedContact(h.database.db, {
        tenantId: a.id,
        clientId: inv.client_id,
        invoiceId: inv.id,
        channel: 'sms',
        purpose: 'reminder',
        jobId: `vuln-${inv.id}`,
      });
      const flagged = await request(h.app).patch(`/api/clients/${inv.client_id}`).set(a.auth).send({ vulnerable: true });
      expect(flagged.status).toBe(200);
      expect(await h.database.db.contactAttempt.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'cancelled' });
      const timeline = await request(h.app).get(`/api/invoices/${inv.id}/timeline`).set(a.auth);
      expect(timeline.body.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'contacts_cancelled', detail: expect.objectContaining({ reason: 'debtor flagged vulnerable' }) }),
        ]),
      );
      const start = new Date(Date.now() - 60_000).toISOString();
      const bs = await request(h.app).patch(`/api/clients/${inv.client_id}`).set(a.auth).send({ breathing_space_start: start });
      expect(bs.status).toBe(200);
      const row = await h.database.db.client.findUniqueOrThrow({ where: { id: inv.client_id } });
      expect(row.breathingSpaceReference).toMatch(/^BSP-/);
      expect(row.breathingSpaceEnd?.getTime()).toBe(new Date(start).getTime() + 60 * 86_400_000);
    });

    it('creates, reads and updates a debtor, including every compliance flag', async () => {
      const created = await request(h.app)
        .post('/api/clients')
        .set(a.auth)
        .send({ name: 'Jane Doe', email: 'jane@example.com', phone: '+447700900001', kind: 'consumer' });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/api/clients/${created.body.id}`);
      expect(created.body).toMatchObject({
        name: 'Jane Doe',
        kind: 'consumer',
        stopped_channels: [],
        vulnerable: false,
        timezone: 'Europe/London',
      });
      const id = created.body.id;
      const patch = await request(h.app)
        .patch(`/api/clients/${id}`)
        .set(a.auth)
        .send({
          dispute: 'opened',
          stop_channel: 'sms',
          preferred_channel: 'email',
          preferred_times: { windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
          breathing_space_start: '2026-11-01T00:00:00Z',
          breathing_space_end: '2026-12-31T00:00:00Z',
          vulnerable: true,
          vulnerability_note: 'recent bereavement',
        });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({
        stopped_channels: ['sms'],
        preferred_channel: 'email',
        vulnerable: true,
        vulnerability_note: 'recent bereavement',
        breathing_space_start: '2026-11-01T00:00:00.000Z',
      });
      expect(patch.body.dispute_opened_at).not.toBeNull();
      const resolved = await request(h.app).patch(`/api/clients/${id}`).set(a.auth).send({
        dispute: 'resolved',
        resume_channel: 'sms',
        preferred_times: null,
        breathing_space_start: null,
        breathing_space_end: null,
      });
      expect(resolved.body).toMatchObject({ stopped_channels: [], preferred_times: null, breathing_space_start: null });
      expect(resolved.body.dispute_resolved_at).not.toBeNull();
      const got = await request(h.app).get(`/api/clients/${id}`).set(a.auth);
      expect(got.status).toBe(200);
      expect(got.body.id).toBe(id);
    });

    it('names each bad field', async () => {
      const res = await request(h.app)
        .post('/api/clients')
        .set(a.auth)
        .send({ name: 'X', email: 'not-an-email', phone: '07700900001', kind: 'alien', extra: 1 });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'body.email',
        'body.extra',
        'body.kind',
        'body.phone',
      ]);
      const zone = await request(h.app)
        .post('/api/clients')
        .set(a.auth)
        .send({ name: 'X', email: 'x@example.com', phone: '+447700900001', kind: 'business', timezone: 'Mars/Olympus' });
      expect(zone.status).toBe(400);
      expect(zone.body.errors[0].field).toBe('body.timezone');
      // The one phone rule (libs/compliance): what the API stores, the dialler calls; the reason names the field.
      const phone = await request(h.app)
        .post('/api/clients')
        .set(a.auth)
        .send({ name: 'X', email: 'x@example.com', phone: '+447700901123', kind: 'consumer' });
      expect(phone.status).toBe(400);
      expect(phone.body.errors).toEqual([
        expect.objectContaining({ field: 'body.phone', detail: 'not a valid UK mobile or landline number' }),
      ]);
      const us = await request(h.app)
        .post('/api/clients')
        .set(a.auth)
        .send({ name: 'X', email: 'x@example.com', phone: '+447400123456', kind: 'consumer', jurisdiction: 'us' });
      expect(us.body.errors[0]).toMatchObject({ field: 'body.phone', detail: 'not a US number (expected +1)' });
      const patch = await request(h.app)
        .patch(`/api/clients/${(await h.client(a)).id}`)
        .set(a.auth)
        .send({ preferred_times: { windows: [{ days: [8], start: '9am', end: '17:00' }] } });
      expect(patch.status).toBe(400);
      expect(patch.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['body.preferred_times.windows.0.days.0', 'body.preferred_times.windows.0.start']),
      );
    });

    it('lists a tenant’s own clients page by page', async () => {
      const t = await h.tenant();
      const ids = [(await h.client(t)).id, (await h.client(t)).id, (await h.client(t)).id];
      const first = await request(h.app).get('/api/clients').query({ limit: 2 }).set(t.auth);
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(2);
      const second = await request(h.app).get('/api/clients').query({ limit: 2, cursor: first.body.next_cursor }).set(t.auth);
      expect(second.body.next_cursor).toBeNull();
      expect([...first.body.data, ...second.body.data].map((c: { id: string }) => c.id).sort()).toEqual(ids.sort());
      const other = await request(h.app).get('/api/clients').set(b.auth);
      expect(other.body.data.map((c: { id: string }) => c.id)).not.toContain(ids[0]);
    });

    it('refuses unauthenticated calls', async () => {
      expect((await request(h.app).post('/api/clients').send({})).status).toBe(401);
      expect(
        (
          await request(h.app)
            .get(`/api/clients/${(await h.client(a)).id}`)
            .set('Authorization', 'Bearer rcp_live_00000000000000000000000000000000')
        ).status,
      ).toBe(401);
    });
  });

  describe('invoices', () => {
    it('creates an invoice in pence and answers in major units with status and days overdue', async () => {
      const client = await h.client(a);
      const res = await request(h.app).post('/api/invoices').set(a.auth).send({
        client_id: client.id,
        invoice_reference: 'INV-1001',
        amount: 500.1,
        issue_date: '2026-01-01',
        due_date: '2026-01-31',
        description: 'Consulting',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        client_id: client.id,
        invoice_reference: 'INV-1001',
        amount: 500.1,
        amount_paid: 0,
        balance: 500.1,
        currency: 'GBP',
        status: 'overdue',
        due_date: '2026-01-31',
      });
      expect(res.body.days_overdue).toBeGreaterThan(0);
      const row = await h.database.db.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(row.amountPence).toBe(50010);
      const future = await h.invoice(a, { due_date: '2099-01-01', client_id: client.id });
      expect(future.status).toBe('open');
      const dup = await request(h.app)
        .post('/api/invoices')
        .set(a.auth)
        .send({ client_id: client.id, invoice_reference: 'INV-1001', amount: 1, issue_date: '2026-01-01', due_date: '2026-01-31' });
      expect(dup.status).toBe(409);
      expect(dup.body.errors[0].field).toBe('body.invoice_reference');
    });

    it('validates amounts, dates and the client', async () => {
      const client = await h.client(a);
      const bad = await request(h.app).post('/api/invoices').set(a.auth).send({
        client_id: client.id,
        invoice_reference: 'X',
        amount: 10.001,
        issue_date: '2026-13-01',
        due_date: '2026-01-01',
        currency: 'pounds',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.amount', 'body.currency', 'body.issue_date']);
      const order = await request(h.app)
        .post('/api/invoices')
        .set(a.auth)
        .send({ client_id: client.id, invoice_reference: 'X', amount: 10, issue_date: '2026-02-01', due_date: '2026-01-01' });
      expect(order.status).toBe(400);
      expect(order.body.errors[0].field).toBe('body.due_date');
      const otherClient = await h.client(b);
      const foreign = await request(h.app)
        .post('/api/invoices')
        .set(a.auth)
        .send({ client_id: otherClient.id, invoice_reference: 'X', amount: 10, issue_date: '2026-01-01', due_date: '2026-02-01' });
      expect(foreign.status).toBe(404);
      expect(foreign.body.errors[0].field).toBe('body.client_id');
    });

    it('lists with filters and cursor pagination', async () => {
      const t = await h.tenant();
      const client = await h.client(t);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await h.invoice(t, { client_id: client.id, due_date: i < 3 ? '2026-02-01' : '2099-02-01' })).id);
      const other = await h.invoice(t);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(h.app)
          .get('/api/invoices')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(t.auth);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((x: { id: string }) => x.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids, other.id].sort());
      const byClient = await request(h.app).get('/api/invoices').query({ client_id: client.id, overdue: 'true' }).set(t.auth);
      expect(byClient.body.data).toHaveLength(3);
      const open = await request(h.app).get('/api/invoices').query({ status: 'open' }).set(t.auth);
      expect(open.body.data).toHaveLength(2);
      const overdue = await request(h.app).get('/api/invoices').query({ status: 'overdue' }).set(t.auth);
      expect(overdue.body.data).toHaveLength(4);
      const bad = await request(h.app).get('/api/invoices').query({ status: 'late', limit: 500, cursor: 'zzz' }).set(t.auth);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.limit', 'query.status']);
      const badCursor = await request(h.app).get('/api/invoices').query({ cursor: 'zzz' }).set(t.auth);
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.errors[0].field).toBe('query.cursor');
    });

    it('updates, writes off and cancels', async () => {
      const inv = await h.invoice(a, { amount: 100 });
      const upd = await request(h.app)
        .patch(`/api/invoices/${inv.id}`)
        .set(a.auth)
        .send({ amount: 150.25, due_date: '2099-01-01', description: 'revised' });
      expect(upd.status).toBe(200);
      expect(upd.body).toMatchObject({ amount: 150.25, due_date: '2099-01-01', status: 'open', description: 'revised' });
      const badUpd = await request(h.app).patch(`/api/invoices/${inv.id}`).set(a.auth).send({ status: 'paid' });
      expect(badUpd.status).toBe(400);
      expect(badUpd.body.errors[0].field).toBe('body.status');
      const cancelled = await request(h.app).post(`/api/invoices/${inv.id}/cancel`).set(a.auth);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.cancelled_at).not.toBeNull();
      expect((await request(h.app).patch(`/api/invoices/${inv.id}`).set(a.auth).send({ amount: 1 })).status).toBe(409);
      const w = await h.invoice(a);
      const off = await request(h.app).patch(`/api/invoices/${w.id}`).set(a.auth).send({ status: 'written_off' });
      expect(off.body.status).toBe('written_off');
    });

    it('records manual payments: part paid, then paid; an overpayment is a credit; repeated references refused', async () => {
      const inv = await h.invoice(a, { amount: 100 });
      const part = await request(h.app)
        .post(`/api/invoices/${inv.id}/payments`)
        .set(a.auth)
        .send({ amount: 40, method: 'bank_transfer', reference: 'BACS-1' });
      expect(part.status).toBe(201);
      expect(part.body.invoice).toMatchObject({ status: 'partially_paid', amount_paid: 40, balance: 60 });
      const repeat = await request(h.app)
        .post(`/api/invoices/${inv.id}/payments`)
        .set(a.auth)
        .send({ amount: 40, method: 'bank_transfer', reference: 'BACS-1' });
      expect(repeat.status).toBe(409);
      const over = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 60.01, method: 'cash' });
      expect(over.status).toBe(201);
      expect(over.body.invoice).toMatchObject({ status: 'paid', balance: 0, amount_paid: 100.01, credit: 0.01 });
      const after = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 5, method: 'cash' });
      expect(after.body.invoice).toMatchObject({ status: 'paid', amount_paid: 105.01, credit: 5.01 });
      const bad = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: -5, method: 'gold' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.amount', 'body.method']);
    });

    it("a payment in another currency is needs_review and moves no balance; another tenant's instalment id is 404", async () => {
      const inv = await h.invoice(a, { amount: 500 });
      const jpy = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 500, currency: 'jpy' });
      expect(jpy.status).toBe(201);
      expect(jpy.body.payment).toMatchObject({ status: 'needs_review', currency: 'JPY' });
      expect(jpy.body.invoice).toMatchObject({ status: 'overdue', amount_paid: 0, balance: 500 });
      const bad = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 5, currency: 'pounds' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('body.currency');
      const foreign = await request(h.app)
        .post(`/api/invoices/${inv.id}/payments`)
        .set(a.auth)
        .send({ amount: 5, installment_id: '0f0e0d0c-0b0a-4900-8800-070605040302' });
      expect(foreign.status).toBe(404);
      expect(foreign.body.errors[0].field).toBe('body.installment_id');
      const timeline = await request(h.app).get(`/api/invoices/${inv.id}/timeline`).set(a.auth);
      expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining(['invoice_created', 'payment_needs_review']),
      );
      const balance = await request(h.app).get(`/api/invoices/${inv.id}/balance`).set(a.auth);
      expect(balance.body).toMatchObject({ principal: 500, interest: 0, compensation: 0, total: 500, currency: 'GBP' });
    });

    it('opens and resolves a dispute; the timeline shows what happened', async () => {
      const inv = await h.invoice(a, { amount: 80 });
      const opened = await request(h.app)
        .post(`/api/invoices/${inv.id}/dispute`)
        .set(a.auth)
        .send({ action: 'open', reason: 'goods not received' });
      expect(opened.body.status).toBe('disputed');
      const client = await request(h.app).get(`/api/clients/${inv.client_id}`).set(a.auth);
      expect(client.body.dispute_opened_at).not.toBeNull();
      const resolved = await request(h.app).post(`/api/invoices/${inv.id}/dispute`).set(a.auth).send({ action: 'resolve' });
      expect(resolved.body.status).toBe('overdue');
      await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 10 });
      const timeline = await request(h.app).get(`/api/invoices/${inv.id}/timeline`).set(a.auth);
      expect(timeline.status).toBe(200);
      expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining(['invoice_created', 'dispute_opened', 'dispute_resolved', 'payment']),
      );
      const openedEvent = timeline.body.events.find((e: { type: string }) => e.type === 'dispute_opened');
      expect(openedEvent.detail.reference).toMatch(/^DSP-/);
    });

    it('creates a sandbox payment link for the balance', async () => {
      const inv = await h.invoice(a, { amount: 42 });
      const res = await request(h.app).post(`/api/invoices/${inv.id}/payment-link`).set(a.auth);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ provider: 'sandbox', amount: 42, currency: 'GBP', status: 'open' });
      expect(res.body.url).toMatch(/^http:\/\/127\.0\.0\.1:8000\/pay\/cs_sandbox_/);
    });
  });

  it('a tenant can never read or act on another tenant’s clients and invoices (every route)', async () => {
    const inv = await h.invoice(a, { amount: 75 });
    const routes: Array<[string, string, Record<string, unknown>?]> = [
      ['get', `/api/invoices/${inv.id}`],
      ['patch', `/api/invoices/${inv.id}`, { description: 'mine now' }],
      ['post', `/api/invoices/${inv.id}/cancel`],
      ['post', `/api/invoices/${inv.id}/payments`, { amount: 1 }],
      ['post', `/api/invoices/${inv.id}/dispute`, { action: 'open' }],
      ['post', `/api/invoices/${inv.id}/payment-link`],
      ['get', `/api/invoices/${inv.id}/timeline`],
      ['get', `/api/clients/${inv.client_id}`],
      ['patch', `/api/clients/${inv.client_id}`, { vulnerable: true }],
    ];
    for (const [method, path, body] of routes) {
      const call = (request(h.app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path).set(b.auth);
      const res = await (body ? call.send(body) : call);
      expect({ path: `${method} ${path}`, status: res.status }).toEqual({ path: `${method} ${path}`, status: 404 });
    }
    const list = await request(h.app).get('/api/invoices').query({ client_id: inv.client_id }).set(b.auth);
    expect(list.body.data).toEqual([]);
    const after = await request(h.app).get(`/api/invoices/${inv.id}`).set(a.auth);
    expect(after.body).toMatchObject({ status: 'overdue', amount_paid: 0, description: null });
    expect((await request(h.app).get(`/api/clients/${inv.client_id}`).set(a.auth)).body.vulnerable).toBe(false);
  });

  it('every tenant route answers 401 problem+json without a credential and with a revoked key', async () => {
    const inv = await h.invoice(a);
    const id = inv.id;
    const routes: Array<[string, string]> = [
      ['post', '/api/clients'],
      ['get', '/api/clients'],
      ['get', `/api/clients/${inv.client_id}`],
      ['patch', `/api/clients/${inv.client_id}`],
      ['post', '/api/invoices'],
      ['get', '/api/invoices'],
      ['get', `/api/invoices/${id}`],
      ['patch', `/api/invoices/${id}`],
      ['post', `/api/invoices/${id}/cancel`],
      ['post', `/api/invoices/${id}/payments`],
      ['post', `/api/invoices/${id}/dispute`],
      ['post', `/api/invoices/${id}/payment-link`],
      ['get', `/api/invoices/${id}/timeline`],
      ['get', `/api/collections/strategy/${id}`],
      ['post', '/api/collections/escalate'],
      ['post', '/api/payment-plans'],
      ['get', '/api/payment-plans/00000000-0000-4000-8000-000000000000'],
    ];
    const revoked = await h.tenant('Revoked');
    await h.deps.authenticator.keys.revoke(revoked.id);
    for (const [method, path] of routes) {
      for (const headers of [{}, revoked.auth]) {
        const res = await (request(h.app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path).set(headers).send({});
        expect({ route: `${method} ${path}`, status: res.status, type: res.headers['content-type'] }).toEqual({
          route: `${method} ${path}`,
          status: 401,
          type: expect.stringMatching(/problem\+json/),
        });
      }
    }
  });
});
