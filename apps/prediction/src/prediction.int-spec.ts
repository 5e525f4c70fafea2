import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { QueueEvents } from 'bullmq';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { Authenticator, KeyRevocations, keyRevocationChannel } from '@recoup/auth';
import { Redis, closeRedis, createRedis } from '@recoup/queue';
import { createApp } from './app';
import { loadConfig } from './config';
import { buildDeps, type Deps } from './deps';
import { TRAINING_QUEUE } from './training/training-queue';

const SHIPPED = path.join(__dirname, '..', 'models', '2026-11-21T00-00-00-000Z-ibm-bootstrap.forest');
const TOKEN = 'test-admin-token-0123456789';
const INTERNAL = 'internal-token-for-tests-0123456789';
const ADMIN_KEY = 'rk_admin_for-tests-0123456789abcdef';

describe('prediction service', () => {
  let database: TestDatabase;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;
  let modelDir: string;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    modelDir = await mkdtemp(path.join(tmpdir(), 'recoup-models-'));
    await copyFile(SHIPPED, path.join(modelDir, path.basename(SHIPPED)));
    const { config, providers } = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      MODEL_DIR: modelDir,
      PREDICTION_ADMIN_TOKEN: TOKEN,
      INTERNAL_API_TOKEN: INTERNAL,
      ADMIN_API_KEY: ADMIN_KEY,
      PREDICTION_MIN_TRAINING_ROWS: '10',
      PREDICTION_THREADS: '1',
    });
    deps = buildDeps(config, providers);
    await deps.models.loadLatest();
    app = createApp(deps);
  });

  /** As the gateway calls: `Authorization: Bearer <INTERNAL_API_TOKEN>`. */
  const post = (path: string) => request(app).post(path).set('Authorization', `Bearer ${INTERNAL}`);
  const get = (path: string) => request(app).get(path).set('Authorization', `Bearer ${INTERNAL}`);

  afterAll(async () => {
    await deps?.close();
    const redis = new Redis(testRedisUrl());
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await database?.drop();
    await rm(modelDir, { recursive: true, force: true });
  });

  const reliable = {
    invoice_amount: 60,
    days_overdue: 0,
    previous_late_payments: 0,
    previous_paid_invoices: 20,
    average_days_late: 0,
    previous_disputes: 0,
    invoice_disputed: false,
    payment_method_on_file: true,
  };
  const troubled = {
    invoice_amount: 60,
    days_overdue: 0,
    previous_late_payments: 15,
    previous_paid_invoices: 16,
    average_days_late: 25,
    previous_disputes: 6,
    invoice_disputed: true,
    payment_method_on_file: false,
  };

  it('scores one invoice: probability, band, recommendation, explanation and model version', async () => {
    const good = await post('/predict').send(reliable);
    expect(good.status).toBe(200);
    expect(good.body.model_version).toBe('2026-11-21T00-00-00-000Z-ibm-bootstrap');
    expect(good.body.probability).toBeGreaterThan(0.7);
    expect(good.body).toMatchObject({ band: 'gentle_reminder', recommendation: 'Gentle reminder' });
    const bad = await post('/predict').send(troubled);
    expect(bad.body.probability).toBeLessThan(0.2);
    expect(bad.body).toMatchObject({ band: 'consider_write_off', recommendation: 'Consider write-off' });
    const factors = bad.body.explanation.factors as Array<{ feature: string; direction: string }>;
    expect(factors.length).toBeGreaterThan(0);
    expect(factors.every((f) => f.direction === 'down' || f.feature === 'invoice_amount')).toBe(true);
  });

  it('accepts missing optional features and rejects invalid ones by name', async () => {
    const minimal = await post('/predict').send({ invoice_amount: 120.5, days_overdue: 30 });
    expect(minimal.status).toBe(200);
    expect(minimal.body.probability).toBeGreaterThanOrEqual(0);
    const invalid = await post('/predict').send({ invoice_amount: -1, days_overdue: 1.5, email_open_rate: 3 });
    expect(invalid.status).toBe(400);
    expect(invalid.headers['content-type']).toMatch(/problem\+json/);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.days_overdue',
      'body.email_open_rate',
      'body.invoice_amount',
    ]);
  });

  it('scores a batch in request order with the same answers as one by one', async () => {
    const res = await post('/predict/batch').send({ invoices: [reliable, troubled, { invoice_amount: 10, days_overdue: 3 }] });
    expect(res.status).toBe(200);
    expect(res.body.predictions).toHaveLength(3);
    const single = await post('/predict').send(troubled);
    expect(res.body.predictions[1].probability).toBe(single.body.probability);
    expect(res.body.predictions[1].explanation).toEqual(single.body.explanation);
    const bare = await post('/predict/batch').send({ invoices: [reliable], explain: false });
    expect(bare.body.predictions[0].explanation).toBeUndefined();
    const tooMany = await post('/predict/batch').send({
      invoices: Array.from({ length: 10_001 }, () => ({ invoice_amount: 1, days_overdue: 1 })),
      explain: false,
    });
    expect(tooMany.status).toBe(400);
  });

  it('describes the model that answers', async () => {
    const res = await get('/model');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: '2026-11-21T00-00-00-000Z-ibm-bootstrap', trees: 100, training_rows: 1930 });
    expect(res.body.metrics.holdout.roc_auc).toBeGreaterThan(0.888);
    expect(res.body.features).toContain('invoice_amount');
  });

  it('refuses /predict, /predict/batch and /model without a valid credential; health, metrics and docs stay open', async () => {
    const batch = { invoices: [reliable] };
    for (const authorization of [
      undefined,
      'Bearer wrong-token-wrong-token-wrong',
      `Basic ${INTERNAL}`,
      `Bearer rcp_live_${'x'.repeat(32)}`,
    ]) {
      const calls = [
        request(app).post('/predict').send(reliable),
        request(app).post('/predict/batch').send(batch),
        request(app).get('/model'),
      ];
      for (const call of calls) {
        const res = await (authorization ? call.set('Authorization', authorization) : call);
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    // The training token opens training only.
    expect((await request(app).post('/predict').set('Authorization', `Bearer ${TOKEN}`).send(reliable)).status).toBe(401);
    for (const path of ['/health', '/metrics', '/openapi.json', '/docs/']) expect((await request(app).get(path)).status).toBe(200);
  });

  it('answers the gateway (internal token), the operator (admin key) and a tenant API key (Bearer or X-API-Key)', async () => {
    const tenant = await database.db.tenant.create({ data: { name: 'Keyholder Ltd' } });
    const { key } = await deps.authenticator.keys.issue(tenant.id, 'owner');
    const asAdmin = await request(app).post('/predict').set('Authorization', `Bearer ${ADMIN_KEY}`).send(reliable);
    expect(asAdmin.status).toBe(200);
    const asTenant = await request(app)
      .post('/predict/batch')
      .set('Authorization', `Bearer ${key}`)
      .send({ invoices: [reliable] });
    expect(asTenant.status).toBe(200);
    expect((await request(app).get('/model').set('X-API-Key', key)).status).toBe(200);
    expect((await get('/model')).status).toBe(200);
  });

  it('refuses a tenant key as soon as another service revokes it', async () => {
    const tenant = await database.db.tenant.create({ data: { name: 'Revoked Ltd' } });
    const { id, key } = await deps.authenticator.keys.issue(tenant.id, 'owner');
    expect((await request(app).post('/predict').set('Authorization', `Bearer ${key}`).send(reliable)).status).toBe(200); // now cached
    // The gateway, as another process: its own connections and revocation feed on the stack's channel.
    const publisher = createRedis(testRedisUrl(), 'client');
    const subscriber = createRedis(testRedisUrl(), 'worker');
    const gatewayRevocations = new KeyRevocations({ publisher, subscriber, channel: keyRevocationChannel(prefix) });
    const gateway = new Authenticator({ db: database.db, keys: { revocations: gatewayRevocations } });
    try {
      await deps.revocations.ready();
      const heard = new Promise<string[]>((resolve) => {
        const off = deps.authenticator.keys.onRevoked(({ keyIds }) => {
          off();
          resolve(keyIds);
        });
      });
      expect(await gateway.keys.revoke(tenant.id, id)).toBe(1);
      expect(await heard).toEqual([id]);
      const refused = await request(app).post('/predict').set('Authorization', `Bearer ${key}`).send(reliable);
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await gatewayRevocations.close();
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    }
  });

  it('protects training with the admin token', async () => {
    expect((await request(app).post('/model/train').send({})).status).toBe(401);
    expect((await request(app).post('/model/train').set('Authorization', 'Bearer wrong-token-wrong-token').send({})).status).toBe(401);
  });

  it('trains from the database in the background and swaps the model atomically', async () => {
    await seedHistory(database);
    const events = new QueueEvents(TRAINING_QUEUE, { connection: { url: testRedisUrl() }, prefix });
    events.on('error', () => undefined);
    await events.waitUntilReady();
    deps.training.run();
    const queued = await request(app).post('/model/train').set('Authorization', `Bearer ${TOKEN}`).send({ trees: 10 });
    expect(queued.status).toBe(202);
    const jobId = queued.body.job_id as string;
    const job = (await deps.training.queue.getJob(jobId))!;
    const result = (await job.waitUntilFinished(events, 60_000)) as { model_version: string };
    await events.close();
    expect(result.model_version).not.toBe('2026-11-21T00-00-00-000Z-ibm-bootstrap');
    const status = await request(app).get(`/model/train/${jobId}`).set('Authorization', `Bearer ${TOKEN}`);
    expect(status.body).toMatchObject({ job_id: jobId, state: 'completed', model_version: result.model_version });
    const answer = await post('/predict').send({ invoice_amount: 100, days_overdue: 10 });
    expect(answer.body.model_version).toBe(result.model_version);
    // The new model is in PostgreSQL: a restart (or another replica) loads it rather than the bootstrap model.
    const reloaded = await deps.models.loadLatest();
    expect(reloaded?.info.version).toBe(result.model_version);
  });
});

/** Clients whose invoices get paid or not depending on whether they pay electronically. */
async function seedHistory(database: TestDatabase): Promise<void> {
  const db = database.db;
  const tenant = await db.tenant.create({ data: { name: 'Acme' } });
  const day = 86_400_000;
  const start = Date.UTC(2025, 0, 1);
  for (let c = 0; c < 12; c++) {
    const reliable = c % 2 === 0;
    const client = await db.client.create({
      data: {
        tenantId: tenant.id,
        name: `Client ${c}`,
        kind: 'business',
        paymentMethodOnFile: reliable,
        createdAt: new Date(start - 100 * day),
      },
    });
    for (let i = 0; i < 6; i++) {
      const issue = new Date(start + (i * 20 + c) * day);
      const due = new Date(issue.getTime() + 30 * day);
      const invoice = await db.invoice.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          reference: `INV-${c}-${i}`,
          amountPence: 10_000 + c * 100,
          issueDate: issue,
          dueDate: due,
          status: reliable ? 'paid' : 'overdue',
        },
      });
      if (reliable)
        await db.payment.create({
          data: {
            tenantId: tenant.id,
            invoiceId: invoice.id,
            amountPence: invoice.amountPence,
            method: 'card',
            receivedAt: new Date(due.getTime() + 5 * day),
          },
        });
    }
  }
}
