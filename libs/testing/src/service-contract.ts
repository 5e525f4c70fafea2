import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { mountedRoutes } from '@recoup/http';
import { createTestDatabase, type TestDatabase } from './postgres';
import { DisposableRedis } from './redis';
import { waitFor } from './wait';

interface OpenApiMedia {
  schema?: unknown;
  example?: unknown;
  examples?: unknown;
}
interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        'x-recoup-mount'?: boolean;
        requestBody?: { content?: Record<string, OpenApiMedia> };
        responses?: Record<string, { content?: Record<string, OpenApiMedia> }>;
      }
    >
  >;
}

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
      expect(res.body).toMatchObject({
        status: 'healthy',
        service,
        services: { database: 'healthy', redis: 'healthy' },
        checks: { postgres: 'up', redis: 'up' },
      });
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

    it('documents every route it serves, each with an operationId and an example, as the checked-in client was generated from', async () => {
      const doc = (await request(svc.app).get('/openapi.json')).body as OpenApiDocument;
      const documented = new Set<string>();
      const mounts: string[] = [];
      const incomplete: string[] = [];
      for (const [p, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          documented.add(`${method} ${p}`);
          if (op['x-recoup-mount']) mounts.push(p);
          if (!op.operationId) incomplete.push(`${method} ${p}: no operationId`);
          const media = [
            ...Object.values(op.requestBody?.content ?? {}),
            ...Object.values(op.responses ?? {}).flatMap((r) => Object.values(r.content ?? {})),
          ];
          const bodies = media.filter((m) => m.schema);
          const hasExample = media.some((m) => m.example !== undefined || m.examples);
          // An operation that has a body or answers one shows an example of it.
          if (bodies.length > 0 && !hasExample) incomplete.push(`${method} ${p}: no example`);
        }
      }
      const undocumented = mountedRoutes(svc.app as never)
        .filter((r) => !documented.has(`${r.method} ${r.path}`) && !(r.method === 'head' && documented.has(`get ${r.path}`)))
        .filter((r) => !mounts.some((m) => r.path === m || r.path.startsWith(`${m}/`)))
        .filter((r) => !['/openapi.json', '/docs'].includes(r.path))
        .map((r) => `${r.method} ${r.path}`);
      // Register a plain Express route with ApiRouter.document() (libs/http/src/routes.ts) so clients see it.
      expect(undocumented).toEqual([]);
      expect(incomplete).toEqual([]);
      // CI: the typed client (libs/client) is generated from exactly this document.
      const file = path.resolve(__dirname, '..', '..', 'client', 'openapi', `${service}.json`);
      const checkedIn = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
      if (JSON.stringify(checkedIn) !== JSON.stringify(doc)) {
        throw new Error(
          `${path.relative(process.cwd(), file)} is not this service's document: run \`npm run client:generate\` and commit it`,
        );
      }
    });

    it('answers unknown routes with 404 problem+json', async () => {
      const res = await request(svc.app).get('/no-such-route');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
}
