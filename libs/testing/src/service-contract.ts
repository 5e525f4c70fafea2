import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from './postgres';
import { DisposableRedis } from './redis';
import { waitFor } from './wait';

export interface ServiceUnderTest {
  app: Express;
  /** Starts background work the way main.ts does (workers), if the service has any. */
  start?: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * What every service promises at its HTTP edge, run against real PostgreSQL and a Redis of
 * the test's own (so the test can stop and restart it).
 */
export function describeServiceContract(service: string, build: (env: NodeJS.ProcessEnv) => ServiceUnderTest): void {
  describe(`${service} service contract`, () => {
    let database: TestDatabase;
    let redis: DisposableRedis;
    let svc: ServiceUnderTest;

    beforeAll(async () => {
      database = await createTestDatabase();
      redis = await DisposableRedis.start();
      svc = build({
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'silent',
        QUEUE_PREFIX: `test-${service}`,
        HEALTH_TIMEOUT_MS: '500',
      });
      await svc.start?.();
    });

    afterAll(async () => {
      await svc?.close();
      await redis?.stop();
      await database?.drop();
    });

    it('answers /health 200 with postgres and redis up', async () => {
      const res = await waitFor(
        async () => {
          const r = await request(svc.app).get('/health');
          return r.status === 200 ? r : undefined;
        },
        { what: `${service} /health 200` },
      );
      expect(res.body).toMatchObject({ status: 'ok', service, checks: { postgres: 'up', redis: 'up' } });
    });

    it('answers 503 naming redis while Redis is down, and 200 again once it is back', async () => {
      await redis.stop();
      const down = await waitFor(
        async () => {
          const r = await request(svc.app).get('/health');
          return r.status === 503 ? r : undefined;
        },
        { what: 'a 503 while Redis is down' },
      );
      expect(down.body.checks).toMatchObject({ postgres: 'up', redis: 'down' });
      expect(down.body.errors.redis).toBeTruthy();
      // Liveness stays up: a dependency outage takes the replica out of rotation, it does not restart it.
      const live = await request(svc.app).get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ status: 'ok', service });
      await redis.start();
      const up = await waitFor(
        async () => {
          const r = await request(svc.app).get('/health');
          return r.status === 200 ? r : undefined;
        },
        { what: 'a 200 after Redis restarts', timeoutMs: 15_000 },
      );
      expect(up.body.checks.redis).toBe('up');
    });

    it('serves its OpenAPI document and Swagger UI', async () => {
      const doc = await request(svc.app).get('/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      expect(doc.body.paths['/health']).toBeDefined();
      const ui = await request(svc.app).get('/docs/');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger-ui');
    });

    it('answers unknown routes with 404 problem+json', async () => {
      const res = await request(svc.app).get('/no-such-route');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
}
