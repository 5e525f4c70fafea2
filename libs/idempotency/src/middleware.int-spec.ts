import { Writable } from 'node:stream';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { z } from 'zod';
import { ApiRouter, createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { deletePrefix, testQueuePrefix, testRedisUrl, waitFor } from '@recoup/testing';
import { idempotencyKey, webhookIdempotency } from './middleware';
import { IdempotencyStore } from './store';

const logger = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('idempotency middleware', () => {
  let redis: Redis;
  let prefix: string;
  let store: IdempotencyStore;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false });
    await redis.connect();
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    store = new IdempotencyStore(redis, { prefix });
  });
  afterEach(() => deletePrefix(redis, prefix));
  afterAll(() => redis.quit());

  describe('webhooks', () => {
    function webhookApp(handler: (body: { id: string }) => Promise<number>, waitMs?: number): Express {
      return createHttpApp({
        service: 'test',
        logger,
        metrics: createMetrics('test'),
        health: {},
        configure: (app) =>
          app.post(
            '/webhooks/stripe',
            webhookIdempotency({ store, provider: 'stripe', eventId: (req) => (req.body as { id?: string }).id, waitMs }),
            async (req, res) => {
              const status = await handler(req.body as { id: string });
              res.status(status).json({ received: true, id: (req.body as { id: string }).id });
            },
          ),
      });
    }

    it('runs the handler once for 50 concurrent deliveries; every delivery gets the same status and body', async () => {
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const app = webhookApp(async () => {
        runs++;
        await gate;
        return 200;
      });
      const deliveries = Array.from({ length: 50 }, () =>
        request(app).post('/webhooks/stripe').send({ id: 'evt_42', type: 'payment_intent.succeeded' }),
      );
      const responses = Promise.all(deliveries.map((d) => d.then((r) => r)));
      await waitFor(() => runs === 1, { what: 'the first delivery to reach the handler' });
      release();
      const all = await responses;
      expect(runs).toBe(1);
      for (const r of all) {
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ received: true, id: 'evt_42' });
      }
      expect(all.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    });

    it('answers 503 with Retry-After while the first delivery is still processing past the wait', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const app = webhookApp(async () => {
        await gate;
        return 200;
      }, 50);
      const first = request(app)
        .post('/webhooks/stripe')
        .send({ id: 'evt_slow' })
        .then((r) => r);
      await waitFor(async () => (await redis.hget(store.key('stripe', 'evt_slow'), 'state')) === 'processing', { what: 'processing' });
      const repeat = await request(app).post('/webhooks/stripe').send({ id: 'evt_slow' });
      expect(repeat.status).toBe(503);
      expect(Number(repeat.headers['retry-after'])).toBeGreaterThan(0);
      expect(repeat.headers['content-type']).toMatch(/problem\+json/);
      release();
      expect((await first).status).toBe(200);
    });

    it("keeps no failure: after an outage the provider's redelivery runs the handler again, and then counts once", async () => {
      let runs = 0;
      let down = true;
      const app = webhookApp(async () => {
        runs++;
        return down ? 503 : 200;
      });
      expect((await request(app).post('/webhooks/stripe').send({ id: 'evt_outage' })).status).toBe(503);
      await waitFor(async () => (await redis.exists(store.key('stripe', 'evt_outage'))) === 0, { what: 'the lease to be released' });
      down = false;
      expect((await request(app).post('/webhooks/stripe').send({ id: 'evt_outage' })).status).toBe(200);
      expect((await request(app).post('/webhooks/stripe').send({ id: 'evt_outage' })).status).toBe(200);
      expect(runs).toBe(2);
    });
  });

  describe('Idempotency-Key on client POSTs', () => {
    let created: unknown[];
    let app: Express;
    let outage = 0;
    beforeEach(() => {
      created = [];
      outage = 0;
      const api = new ApiRouter().route({
        method: 'post',
        path: '/api/invoices',
        summary: 'create',
        before: [idempotencyKey({ store, scope: (req) => req.get('x-tenant') })],
        request: { body: z.object({ amount: z.number().positive() }) },
        responses: { 201: { description: 'created' } },
        handler: async ({ body }, _req, res) => {
          if (outage > 0) {
            outage--;
            res.status(503).json({ title: 'database unreachable' });
            return;
          }
          created.push(body);
          res.status(201).json({ id: `inv_${created.length}`, amount: body.amount });
        },
      });
      app = createHttpApp({ service: 'test', logger, metrics: createMetrics('test'), health: {}, routers: [api] });
    });

    const post = (key: string | undefined, body: unknown, tenant = 't1') => {
      const r = request(app).post('/api/invoices').set('x-tenant', tenant);
      return (key ? r.set('Idempotency-Key', key) : r).send(body as object);
    };
    const stored = (key: string, tenant = 't1') =>
      waitFor(async () => (await redis.hget(store.key(`client:${tenant}`, key), 'state')) === 'completed', { what: 'outcome stored' });

    it('replays the stored status and body for a retry with the same key and body', async () => {
      const first = await post('k-1', { amount: 500 });
      expect(first.status).toBe(201);
      await stored('k-1');
      const retry = await post('k-1', { amount: 500 });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(created).toHaveLength(1);
    });

    it('answers 422 naming the header when the same key comes with a different body', async () => {
      await post('k-2', { amount: 500 });
      await stored('k-2');
      const other = await post('k-2', { amount: 600 });
      expect(other.status).toBe(422);
      expect(other.body.errors[0].field).toBe('headers.idempotency-key');
      expect(created).toHaveLength(1);
    });

    it('does not store a validation failure, so a corrected request can reuse the key', async () => {
      const bad = await post('k-3', { amount: -1 });
      expect(bad.status).toBe(400);
      await waitFor(async () => (await redis.exists(store.key('client:t1', 'k-3'))) === 0, { what: 'the refused request to be released' });
      const fixed = await post('k-3', { amount: 1 });
      expect(fixed.status).toBe(201);
    });

    it('does not store a server error: the client retry with the same key runs again once the service recovers', async () => {
      outage = 2;
      expect((await post('k-5', { amount: 7 })).status).toBe(503);
      await waitFor(async () => (await redis.exists(store.key('client:t1', 'k-5'))) === 0, { what: 'the failed request to be released' });
      expect((await post('k-5', { amount: 7 })).status).toBe(503);
      await waitFor(async () => (await redis.exists(store.key('client:t1', 'k-5'))) === 0, { what: 'the failed request to be released' });
      const recovered = await post('k-5', { amount: 7 });
      expect(recovered.status).toBe(201);
      await stored('k-5');
      expect((await post('k-5', { amount: 7 })).headers['idempotent-replayed']).toBe('true');
      expect(created).toHaveLength(1);
    });

    it('keeps keys per tenant, and passes requests without a key straight through', async () => {
      await post('shared', { amount: 1 }, 't1');
      expect((await post('shared', { amount: 1 }, 't2')).headers['idempotent-replayed']).toBeUndefined();
      await post(undefined, { amount: 1 });
      await post(undefined, { amount: 1 });
      expect(created).toHaveLength(4);
    });

    it('rejects a malformed key with 400', async () => {
      const res = await post('x'.repeat(300), { amount: 1 });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('headers.idempotency-key');
    });
  });
});
