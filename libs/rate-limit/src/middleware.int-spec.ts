import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ApiRouter, createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { deletePrefix, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { RateLimiter } from './limiter';
import { apiRateLimit } from './middleware';

describe('apiRateLimit middleware', () => {
  let redis: Redis;
  const prefix = testQueuePrefix();
  const now = new Date('2026-11-21T12:00:00Z').getTime();

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  function app(limiter: RateLimiter) {
    const logger = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
    const api = new ApiRouter().route({
      method: 'get',
      path: '/api/things',
      summary: 'things',
      before: [
        apiRateLimit({
          limiter,
          tenant: (req) =>
            req.get('x-tenant')
              ? { tenantId: req.get('x-tenant')!, limits: { monthly: {}, daily: {}, hourly: { api_calls: 3 } } }
              : undefined,
        }),
      ],
      responses: { 200: { description: 'ok' } },
      handler: (_i, _req, res) => res.json({ ok: true }),
    });
    return createHttpApp({ service: 'test', logger, metrics: createMetrics('test'), health: {}, routers: [api] });
  }

  it('sends RateLimit-Policy and RateLimit headers, then 429 problem+json with Retry-After', async () => {
    const server = app(new RateLimiter(redis, { prefix, clock: () => now }));
    const first = await request(server).get('/api/things').set('x-tenant', 't1');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"hourly";q=3;w=3600');
    expect(first.headers['ratelimit']).toBe('"hourly";r=2;t=3600');
    await request(server).get('/api/things').set('x-tenant', 't1');
    await request(server).get('/api/things').set('x-tenant', 't1');
    const limited = await request(server).get('/api/things').set('x-tenant', 't1');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe('3600');
    expect(limited.headers['ratelimit']).toBe('"hourly";r=0;t=3600');
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(limited.body.detail).toContain('hourly limit of 3 api calls');
    // Another tenant has its own budget.
    expect((await request(server).get('/api/things').set('x-tenant', 't2')).status).toBe(200);
  });

  it('lets requests through (fail-open) when Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    const res = await request(app(new RateLimiter(down, { prefix })))
      .get('/api/things')
      .set('x-tenant', 't3');
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit']).toBeUndefined();
    down.disconnect();
  });
});
