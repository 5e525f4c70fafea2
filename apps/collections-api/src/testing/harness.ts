import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { buildDeps, type Deps } from '../deps';

export const ADMIN_KEY = 'admin-key-for-collections-api-tests-0123456789';
export const WEBHOOK_SECRET = 'whsec_collections_api_tests_secret';

export interface TenantFixture {
  id: string;
  key: string;
  auth: { Authorization: string };
}

export interface Harness {
  app: Express;
  deps: Deps;
  database: TestDatabase;
  prefix: string;
  redis: Redis;
  /** Responses of the fake prediction service; null makes it answer 503. */
  prediction: { reply: Record<string, unknown> | null; calls: unknown[] };
  predictionUrl: string;
  tenant(name?: string, tier?: 'starter' | 'growth' | 'pro'): Promise<TenantFixture>;
  client(t: TenantFixture, over?: Record<string, unknown>): Promise<{ id: string }>;
  invoice(t: TenantFixture, over?: Record<string, unknown>): Promise<{ id: string; client_id: string; [k: string]: unknown }>;
  close(): Promise<void>;
}

let counter = 0;

/** The whole service on a database of its own, a queue prefix of its own, and a loopback fake of the prediction service. */
export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const prefix = testQueuePrefix();
  const prediction: Harness['prediction'] = { reply: null, calls: [] };
  const fake: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      prediction.calls.push(JSON.parse(body || '{}'));
      if (!prediction.reply) {
        res.writeHead(503, { 'content-type': 'application/json' });
        return res.end('{}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(prediction.reply));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const predictionUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  const { config, providers } = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: ADMIN_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PREDICTION_URL: predictionUrl,
    PREDICTION_TIMEOUT_MS: '500',
    VOICE_AGENT_URL: 'http://127.0.0.1:9',
    INTERNAL_API_TOKEN: 'internal-token-for-tests-0123456789',
    COLLECTIONS_SCAN_CRON: 'off',
    ...env,
  });
  const deps = buildDeps(config, providers);
  const app = createApp(deps);
  const redis = new Redis(testRedisUrl());

  const h: Harness = {
    app,
    deps,
    database,
    prefix,
    redis,
    prediction,
    predictionUrl,
    async tenant(name = `Tenant ${++counter}`, tier = 'pro') {
      const res = await request(app).post('/api/admin/tenants').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name, tier });
      if (res.status !== 201) throw new Error(`tenant: ${res.status} ${res.text}`);
      return { id: res.body.tenant.id, key: res.body.api_key.key, auth: { Authorization: `Bearer ${res.body.api_key.key}` } };
    },
    async client(t, over = {}) {
      const res = await request(app)
        .post('/api/clients')
        .set(t.auth)
        .send({ name: 'Debtor Ltd', email: 'accounts@debtor.example', phone: '+447700900123', kind: 'business', ...over });
      if (res.status !== 201) throw new Error(`client: ${res.status} ${res.text}`);
      return res.body;
    },
    async invoice(t, over = {}) {
      const clientId = (over.client_id as string | undefined) ?? (await h.client(t)).id;
      const res = await request(app)
        .post('/api/invoices')
        .set(t.auth)
        .send({
          client_id: clientId,
          invoice_reference: `INV-${++counter}`,
          amount: 500.0,
          issue_date: '2026-01-01',
          due_date: '2026-02-01',
          ...over,
        });
      if (res.status !== 201) throw new Error(`invoice: ${res.status} ${res.text}`);
      return res.body;
    },
    async close() {
      await deps.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
      await new Promise((r) => fake.close(r));
      await database.drop();
    },
  };
  return h;
}
