import { ApiKeyService } from '@recoup/auth';
import { ADMIN_KEY, api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

describe("the tenant's api_calls tier limit on every tenant route", () => {
  let h: IvrHarness;
  beforeAll(async () => {
    h = await startIvr();
  });
  afterAll(() => h?.close());

  it('counts each request, then answers 429 problem+json with Retry-After and RateLimit headers on every route', async () => {
    const tenant = await h.deps.db.tenant.create({
      data: { name: 'Small Co', tier: 'growth', limitOverrides: { hourly: { api_calls: 2 } } },
    });
    const key = (await new ApiKeyService(h.deps.db).issue(tenant.id)).key;
    const { client, invoice } = await seedDebtor(h.deps.db, tenant.id, { now: h.clock() });

    const first = await api(h, '/api/calls', { key });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"hourly";q=2;w=3600');
    expect(first.headers.get('ratelimit')).toMatch(/^"hourly";r=1;t=\d+$/);
    expect((await api(h, '/api/calls', { key })).status).toBe(200);

    const one = JSON.stringify({ client_id: client.id, invoice_id: invoice.id });
    const routes: Array<[string, RequestInit]> = [
      ['/api/calls', {}],
      ['/api/calls/stream', {}],
      [`/api/calls/${invoice.id}`, {}],
      ['/api/calls/outbound', { method: 'POST', body: one }],
      ['/api/calls/batch', { method: 'POST', body: JSON.stringify({ calls: [JSON.parse(one)] }) }],
      [
        '/api/calls/batch?campaign_id=csv',
        { method: 'POST', body: `client_id,invoice_id\n${client.id},${invoice.id}\n`, headers: { 'content-type': 'text/csv' } },
      ],
    ];
    for (const [path, init] of routes) {
      const res = await api(h, path, { ...init, key });
      expect({ path, status: res.status }).toEqual({ path, status: 429 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('ratelimit')).toMatch(/^"hourly";r=0;t=\d+$/);
      expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
      expect(res.body.detail).toContain('hourly limit of 2 api calls');
    }
    // Nothing was queued past the limit.
    expect(await h.deps.db.contactAttempt.count({ where: { invoiceId: invoice.id } })).toBe(0);
  });

  it("keeps each tenant's budget its own and does not limit the admin key", async () => {
    const mine = await api(h, '/api/calls');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('ratelimit-policy')).toBe('"hourly";q=1000;w=3600');
    const admin = await api(h, '/api/calls', { key: ADMIN_KEY });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('ratelimit')).toBeNull();
  });
});
