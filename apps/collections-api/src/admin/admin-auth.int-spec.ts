import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import request from 'supertest';
import { ADMIN_KEY, createHarness, type Harness } from '../testing/harness';

const ISSUER = 'https://securetoken.google.com/recoup-test';
const AUDIENCE = 'recoup-test';

describe('collections-api: admin, authentication, rate limits, CORS and headers', () => {
  let h: Harness;
  let jwks: Server;
  let signingKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    h = await createHarness({
      AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      CORS_ORIGINS: 'https://app.recoup.example',
    });
  });

  afterAll(async () => {
    await h.close();
    await new Promise((r) => jwks.close(r));
  });

  const jwt = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('firebase-uid-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(signingKey);

  describe('POST /api/admin/tenants', () => {
    it('creates a tenant with the admin key and returns its API key once (stored hashed)', async () => {
      const res = await request(h.app)
        .post('/api/admin/tenants')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send({ name: 'Acme Ltd', tier: 'growth' });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.tenant).toMatchObject({ name: 'Acme Ltd', tier: 'growth' });
      expect(res.body.api_key.key).toMatch(/^rcp_test_/); // Stripe in sandbox: a test key
      const row = await h.database.db.apiKey.findUniqueOrThrow({ where: { id: res.body.api_key.id } });
      expect(row.keyHash).not.toContain(res.body.api_key.key);
      const list = await request(h.app)
        .get(`/api/admin/tenants/${res.body.tenant.id}/api-keys`)
        .set('Authorization', `Bearer ${ADMIN_KEY}`);
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(res.body.api_key.key);
      expect(list.body.data[0].prefix).toBe(res.body.api_key.prefix);
    });

    it('names the bad field in problem+json', async () => {
      const res = await request(h.app)
        .post('/api/admin/tenants')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send({ name: '', tier: 'platinum' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.name', 'body.tier']);
    });

    it('answers 401 without credentials and 403 to a tenant key', async () => {
      const none = await request(h.app).post('/api/admin/tenants').send({ name: 'X', tier: 'pro' });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const t = await h.tenant();
      expect((await request(h.app).post('/api/admin/tenants').set(t.auth).send({ name: 'X', tier: 'pro' })).status).toBe(403);
      expect((await request(h.app).get('/api/admin/metrics').set(t.auth)).status).toBe(403);
      expect((await request(h.app).get('/api/admin/metrics')).status).toBe(401);
    });
  });

  it('rotates keys (old stops, new works) and revokes one key', async () => {
    const t = await h.tenant();
    expect((await request(h.app).get('/api/invoices').set(t.auth)).status).toBe(200);
    const rotated = await request(h.app).post(`/api/admin/tenants/${t.id}/api-keys/rotate`).set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(rotated.status).toBe(201);
    expect((await request(h.app).get('/api/invoices').set(t.auth)).status).toBe(401);
    const fresh = { Authorization: `Bearer ${rotated.body.key}` };
    expect((await request(h.app).get('/api/invoices').set(fresh)).status).toBe(200);
    const revoked = await request(h.app)
      .delete(`/api/admin/tenants/${t.id}/api-keys/${rotated.body.id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(revoked.status).toBe(204);
    expect((await request(h.app).get('/api/invoices').set(fresh)).status).toBe(401);
    const again = await request(h.app)
      .delete(`/api/admin/tenants/${t.id}/api-keys/${rotated.body.id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(again.status).toBe(404);
    const other = await request(h.app)
      .post(`/api/admin/tenants/00000000-0000-4000-8000-000000000000/api-keys/rotate`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(other.status).toBe(404);
  });

  it('PATCH /api/admin/tenants/{id} changes the tier and limit overrides, effective at once here', async () => {
    const t = await h.tenant('Upgrade me', 'starter');
    const inv = await h.invoice(t);
    const before = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' });
    expect(before.status).toBe(429);
    const res = await request(h.app)
      .patch(`/api/admin/tenants/${t.id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ tier: 'growth', limit_overrides: { hourly: { api_calls: 50 } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: 'growth', limit_overrides: { hourly: { api_calls: 50 } } });
    const after = await request(h.app).post('/api/collections/escalate').set(t.auth).send({ invoice_id: inv.id, action: 'sms' });
    expect(after.status).toBe(202);
    const bad = await request(h.app)
      .patch(`/api/admin/tenants/${t.id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ tier: 'gold', limit_overrides: { weekly: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.limit_overrides.weekly', 'body.tier']);
    expect((await request(h.app).patch(`/api/admin/tenants/${t.id}`).set(t.auth).send({ tier: 'pro' })).status).toBe(403);
  });

  it('GET /api/admin/metrics gives platform figures to the admin', async () => {
    const t = await h.tenant();
    await h.invoice(t, { amount: 120.5 });
    const res = await request(h.app).get('/api/admin/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(res.status).toBe(200);
    expect(res.body.tenants).toBeGreaterThanOrEqual(1);
    expect(res.body.invoices.overdue).toBeGreaterThanOrEqual(1);
    expect(res.body.outstanding).toBeGreaterThanOrEqual(120.5);
    expect(res.body.queues).toHaveProperty('notifications');
  });

  it('accepts a JWKS-verified JWT with a tenant_id claim, and refuses one without', async () => {
    const t = await h.tenant();
    const inv = await h.invoice(t);
    const token = await jwt({ tenant_id: t.id });
    const ok = await request(h.app).get(`/api/invoices/${inv.id}`).set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(inv.id);
    expect(
      (
        await request(h.app)
          .get(`/api/invoices/${inv.id}`)
          .set('Authorization', `Bearer ${await jwt({})}`)
      ).status,
    ).toBe(403);
    const unknownTenant = await jwt({ tenant_id: '00000000-0000-4000-8000-000000000001' });
    expect((await request(h.app).get('/api/invoices').set('Authorization', `Bearer ${unknownTenant}`)).status).toBe(403);
  });

  it('limits api_calls per tenant tier with 429 problem+json, RateLimit headers and Retry-After', async () => {
    const t = await h.tenant('Tiny', 'starter');
    await h.database.db.tenant.update({ where: { id: t.id }, data: { limitOverrides: { hourly: { api_calls: 5 } } } });
    h.deps.tenants.invalidate(t.id);
    const inv = await h.invoice(t); // two calls: the client and the invoice
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await request(h.app)
        .get(i % 2 ? '/api/invoices' : `/api/invoices/${inv.id}`)
        .set(t.auth);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(last?.headers['retry-after']).toBeDefined();
    expect((await request(h.app).get(`/api/invoices/${inv.id}`).set(t.auth)).status).toBe(429);
    const other = await h.tenant();
    expect((await request(h.app).get('/api/invoices').set(other.auth)).status).toBe(200);
  });

  it('sends helmet headers and CORS for the configured frontend origin only', async () => {
    const t = await h.tenant();
    const res = await request(h.app).get('/api/invoices').set(t.auth).set('Origin', 'https://app.recoup.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBe('https://app.recoup.example');
    const foreign = await request(h.app).get('/api/invoices').set(t.auth).set('Origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(h.app)
      .options('/api/invoices')
      .set('Origin', 'https://app.recoup.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,idempotency-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
  });

  it('/health includes Stripe (sandbox here)', async () => {
    const res = await request(h.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({ postgres: 'up', redis: 'up', stripe: 'sandbox' });
  });
});
