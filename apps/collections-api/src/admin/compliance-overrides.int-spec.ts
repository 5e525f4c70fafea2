import request from 'supertest';
import { ADMIN_KEY, createHarness, type Harness } from '../testing/harness';

describe('collections-api: operator compliance overrides on a tenant', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const admin = (r: request.Test) => r.set('Authorization', `Bearer ${ADMIN_KEY}`);

  it('stores valid overrides given at creation and lets the operator change or clear them', async () => {
    const created = await admin(request(h.app).post('/api/admin/tenants')).send({
      name: 'Weekend Lender',
      tier: 'pro',
      compliance_overrides: { contactHours: { enabled: false } },
    });
    expect(created.status).toBe(201);
    const id = created.body.tenant.id as string;
    expect((await h.database.db.tenant.findUniqueOrThrow({ where: { id } })).complianceOverrides).toEqual({
      contactHours: { enabled: false },
    });

    const changed = await admin(request(h.app).patch(`/api/admin/tenants/${id}`)).send({
      compliance_overrides: { frequency: { maxContacts: 3 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.compliance_overrides).toEqual({ frequency: { maxContacts: 3 } });
    const cleared = await admin(request(h.app).patch(`/api/admin/tenants/${id}`)).send({ compliance_overrides: null });
    expect(cleared.body.compliance_overrides).toBeNull();
  });

  it('refuses overrides that would not leave a valid rule set, naming the field, and stores nothing', async () => {
    const before = await h.database.db.tenant.count();
    const res = await admin(request(h.app).post('/api/admin/tenants')).send({
      name: 'Typo Ltd',
      compliance_overrides: { frequency: { maxContacts: 'lots' } },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.compliance_overrides.frequency.maxContacts']);
    expect(await h.database.db.tenant.count()).toBe(before);
    const notObject = await admin(request(h.app).post('/api/admin/tenants')).send({ name: 'Typo Ltd', compliance_overrides: ['x'] });
    expect(notObject.status).toBe(400);
  });

  it('is for the operator only', async () => {
    const t = await h.tenant('Ordinary Ltd');
    const res = await request(h.app)
      .post('/api/admin/tenants')
      .set(t.auth)
      .send({ name: 'Sneaky', compliance_overrides: { contactHours: { enabled: false } } });
    expect(res.status).toBe(403);
  });
});
