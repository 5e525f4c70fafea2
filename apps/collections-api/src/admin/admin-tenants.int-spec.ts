import request from 'supertest';
import { ADMIN_KEY, createHarness, type Harness } from '../testing/harness';

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('collections-api: the operator lists tenants and reads one tenant’s data with X-Tenant-Id', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('GET /api/admin/tenants lists tenants newest first, pages by cursor and filters by name or its start', async () => {
    const a = await h.tenant('Picker Alpha Ltd', 'growth');
    const b = await h.tenant('Picker Beta Ltd', 'starter');
    const c = await h.tenant('Picker Alphabet plc', 'pro');

    const first = await request(h.app).get('/api/admin/tenants').query({ name: 'picker', limit: 2 }).set(admin);
    expect(first.status).toBe(200);
    expect(first.body.data.map((t: { id: string }) => t.id)).toEqual([c.id, b.id]);
    expect(first.body.data[0]).toEqual({ id: c.id, name: 'Picker Alphabet plc', tier: 'pro', created_at: expect.any(String) });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await request(h.app)
      .get('/api/admin/tenants')
      .query({ name: 'picker', limit: 2, cursor: first.body.next_cursor })
      .set(admin);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: a.id, tier: 'growth' })], next_cursor: null });

    const prefix = await request(h.app).get('/api/admin/tenants').query({ name: 'Picker Alpha' }).set(admin);
    expect(prefix.body.data.map((t: { id: string }) => t.id)).toEqual([c.id, a.id]);
    const exact = await request(h.app).get('/api/admin/tenants').query({ name: 'Picker Beta Ltd' }).set(admin);
    expect(exact.body.data.map((t: { id: string }) => t.id)).toEqual([b.id]);

    expect((await request(h.app).get('/api/admin/tenants').query({ cursor: 'nonsense' }).set(admin)).status).toBe(400);
    expect((await request(h.app).get('/api/admin/tenants').set(a.auth)).status).toBe(403);
    expect((await request(h.app).get('/api/admin/tenants')).status).toBe(401);
  });

  it('the admin key with X-Tenant-Id reads that tenant’s invoices, outbox and clients, never another’s', async () => {
    const mine = await h.tenant('Read Me Ltd');
    const other = await h.tenant('Not Me Ltd');
    const inv = await h.invoice(mine, { amount: 321 });
    const foreign = await h.invoice(other);
    const as = (t: { id: string }) => ({ ...admin, 'X-Tenant-Id': t.id });

    const list = await request(h.app).get('/api/invoices').set(as(mine));
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    const one = await request(h.app).get(`/api/invoices/${inv.id}`).set(as(mine));
    expect(one.status).toBe(200);
    expect(one.body.amount).toBe(321);
    expect((await request(h.app).get(`/api/invoices/${inv.id}/timeline`).set(as(mine))).status).toBe(200);
    expect((await request(h.app).get(`/api/invoices/${inv.id}/balance`).set(as(mine))).status).toBe(200);
    expect((await request(h.app).get('/api/outbox').set(as(mine))).status).toBe(200);
    const clients = await request(h.app).get('/api/clients').set(as(mine));
    expect(clients.status).toBe(200);
    expect(clients.body.data.map((c: { id: string }) => c.id)).toEqual([inv.client_id]);

    expect((await request(h.app).get(`/api/invoices/${foreign.id}`).set(as(mine))).status).toBe(404);
    const theirs = await request(h.app).get('/api/invoices').set(as(other));
    expect(theirs.body.data.map((i: { id: string }) => i.id)).toEqual([foreign.id]);
  });

  it('refuses the admin key on writes (403), without X-Tenant-Id (400 naming it) and for an unknown tenant (404)', async () => {
    const t = await h.tenant();
    const inv = await h.invoice(t);
    const post = await request(h.app)
      .post('/api/clients')
      .set({ ...admin, 'X-Tenant-Id': t.id })
      .send({ name: 'Sneaky Ltd', email: 'a@b.example', kind: 'business' });
    expect(post.status).toBe(403);
    expect(post.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(post.body.detail).toMatch(/only read/);
    const patch = await request(h.app)
      .patch(`/api/invoices/${inv.id}`)
      .set({ ...admin, 'X-Tenant-Id': t.id })
      .send({ description: 'changed by the operator' });
    expect(patch.status).toBe(403);

    const missing = await request(h.app).get('/api/invoices').set(admin);
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body.detail).toMatch(/X-Tenant-Id/);
    const invalid = await request(h.app)
      .get('/api/invoices')
      .set({ ...admin, 'X-Tenant-Id': 'not-a-uuid' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/X-Tenant-Id/);
    const unknown = await request(h.app)
      .get('/api/invoices')
      .set({ ...admin, 'X-Tenant-Id': '00000000-0000-4000-8000-00000000abcd' });
    expect(unknown.status).toBe(404);
  });

  it('leaves tenant keys as they were: X-Tenant-Id cannot reach another tenant', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const inv = await h.invoice(t);
    await h.invoice(other);
    const res = await request(h.app)
      .get('/api/invoices')
      .set({ ...t.auth, 'X-Tenant-Id': other.id });
    expect(res.status).toBe(200);
    expect(res.body.data.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    await expect(h.client(t)).resolves.toHaveProperty('id');
  });
});
