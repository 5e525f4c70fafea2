import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { Authenticator, hashApiKey, requireAuth } from './index';

const ADMIN = 'admin-key-for-tests-0123456789abcdef';
const ISSUER = 'https://securetoken.google.com/recoup-test';
const AUDIENCE = 'recoup-test';

describe('requireAuth', () => {
  let database: TestDatabase;
  let jwks: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let tenantId: string;
  let app: express.Express;
  let authenticator: Authenticator;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    tenantId = (await database.db.tenant.create({ data: { name: 'Acme' } })).id;
    authenticator = new Authenticator({ db: database.db, adminApiKey: ADMIN, jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE } });
    app = express();
    app.get('/tenant', requireAuth({ authenticator }), (req, res) => {
      res.json(req.auth);
    });
    app.get('/admin', requireAuth({ authenticator, roles: ['admin'] }), (req, res) => {
      res.json(req.auth);
    });
    app.get('/either', requireAuth({ db: database.db, adminApiKey: ADMIN, roles: ['admin', 'tenant'] }), (req, res) => {
      res.json(req.auth);
    });
  });

  afterAll(async () => {
    await new Promise((r) => jwks.close(r));
    await database.drop();
  });

  const token = (claims: Record<string, unknown>, key: CryptoKey = privateKey, opts: { iss?: string; aud?: string; exp?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('user-1')
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(key);

  it('accepts the admin key on admin routes and refuses it on tenant-only routes', async () => {
    const ok = await request(app).get('/admin').set('Authorization', `Bearer ${ADMIN}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ kind: 'admin' });
    const denied = await request(app).get('/tenant').set('Authorization', `Bearer ${ADMIN}`);
    expect(denied.status).toBe(403);
    expect(denied.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('answers 401 problem+json with WWW-Authenticate when the header is missing or wrong', async () => {
    const none = await request(app).get('/tenant');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.body.title).toBe('Unauthorized');
    expect((await request(app).get('/tenant').set('Authorization', 'Basic abc')).status).toBe(401);
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${ADMIN}x`)).status).toBe(401);
    expect((await request(app).get('/tenant').set('Authorization', 'Bearer rcp_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
  });

  it('accepts a tenant API key, stores only its hash, marks it used, and stops accepting it once revoked', async () => {
    const issued = await authenticator.keys.issue(tenantId);
    expect(issued.key).toMatch(/^rcp_live_[0-9A-Za-z]{32}$/);
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row.keyHash).toBe(hashApiKey(issued.key));
    expect(JSON.stringify(row)).not.toContain(issued.key);

    const res = await request(app).get('/tenant').set('Authorization', `Bearer ${issued.key}`);
    expect(res.status).toBe(200);
    expect((await request(app).get('/tenant').set('X-API-Key', issued.key)).status).toBe(200);
    expect(res.body).toEqual({ kind: 'tenant', tenantId, role: 'member', via: 'api_key', keyId: issued.id });
    const used = await waitForLastUsed(issued.id);
    expect(used).toBeInstanceOf(Date);
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${issued.key}`)).status).toBe(403);

    await authenticator.keys.revoke(tenantId, issued.id);
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${issued.key}`)).status).toBe(401);
  });

  it('rotates: the old key stops working, the new one works', async () => {
    const first = await authenticator.keys.issue(tenantId);
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${first.key}`)).status).toBe(200);
    const second = await authenticator.keys.rotate(tenantId);
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${first.key}`)).status).toBe(401);
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${second.key}`)).status).toBe(200);
  });

  it('a revocation through another authenticator is seen once the cache expires (here: cleared)', async () => {
    const other = new Authenticator({ db: database.db });
    const key = await other.keys.issue(tenantId);
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${key.key}`)).status).toBe(200);
    await other.keys.revoke(tenantId, key.id);
    authenticator.keys.clearCache();
    expect((await request(app).get('/tenant').set('Authorization', `Bearer ${key.key}`)).status).toBe(401);
  });

  it('accepts a JWT signed by a JWKS key with the right issuer and audience, tenant from tenant_id', async () => {
    const jwt = await token({ tenant_id: tenantId, role: 'owner' });
    const res = await request(app).get('/tenant').set('Authorization', `Bearer ${jwt}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kind: 'tenant', tenantId, role: 'owner', via: 'jwt', subject: 'user-1' });
  });

  it('refuses JWTs with a foreign key, wrong issuer, wrong audience, expired, or without a tenant', async () => {
    const cases = [
      [await token({ tenant_id: tenantId }, otherKey), 401],
      [await token({ tenant_id: tenantId }, privateKey, { iss: 'https://evil.example' }), 401],
      [await token({ tenant_id: tenantId }, privateKey, { aud: 'other' }), 401],
      [await token({ tenant_id: tenantId }, privateKey, { exp: '-10m' }), 401],
      [await token({}), 403],
    ] as const;
    for (const [jwt, status] of cases) {
      const res = await request(app).get('/tenant').set('Authorization', `Bearer ${jwt}`);
      expect(res.status).toBe(status);
    }
  });

  it('without JWT config a JWT is just an invalid credential', async () => {
    const jwt = await token({ tenant_id: tenantId });
    const res = await request(app).get('/either').set('Authorization', `Bearer ${jwt}`);
    expect(res.status).toBe(401);
    expect((await request(app).get('/either').set('Authorization', `Bearer ${ADMIN}`)).status).toBe(200);
  });

  async function waitForLastUsed(id: string): Promise<Date | null> {
    for (let i = 0; i < 100; i++) {
      const row = await database.db.apiKey.findUniqueOrThrow({ where: { id } });
      if (row.lastUsedAt) return row.lastUsedAt;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }
});
