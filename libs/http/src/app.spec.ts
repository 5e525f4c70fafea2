import { Writable } from 'node:stream';
import request from 'supertest';
import { z } from 'zod';
import { createLogger, createMetrics, registerBusinessMetrics } from '@recoup/observability';
import { createHttpApp, isBackingServiceDown } from './app';
import { optionalCheck, type HealthCheck } from './health';
import { HttpProblem } from './problem';
import { readinessOf } from './readiness';
import { ApiRouter } from './routes';

const silent = new Writable({ write: (_c, _e, done) => done() });

const Invoice = z
  .object({ client_id: z.uuid(), amount: z.number().positive(), currency: z.string().length(3).default('GBP') })
  .strict()
  .meta({ id: 'CreateInvoice' });

function build(health: Record<string, HealthCheck> = { postgres: async () => undefined }) {
  const logger = createLogger({ service: 'test', destination: silent });
  const created: unknown[] = [];
  const api = new ApiRouter()
    .route({
      method: 'post',
      path: '/api/invoices',
      summary: 'Create an invoice',
      request: { body: Invoice },
      responses: { 201: { description: 'Created', schema: Invoice } },
      handler: ({ body }, _req, res) => {
        created.push(body);
        res.status(201).json(body);
      },
    })
    .route({
      method: 'get',
      path: '/api/invoices/:invoice_id',
      summary: 'Get an invoice',
      request: { params: z.object({ invoice_id: z.uuid() }), query: z.object({ expand: z.enum(['client']).optional() }) },
      responses: { 200: { description: 'The invoice' } },
      handler: ({ params }) => {
        throw HttpProblem.notFound(`invoice ${params.invoice_id} not found`);
      },
    })
    .route({
      method: 'get',
      path: '/boom',
      summary: 'Fails',
      responses: { 200: { description: 'never' } },
      handler: async () => {
        throw new Error('database password is hunter2');
      },
    })
    .route({
      method: 'get',
      path: '/db-down',
      summary: 'The database is unreachable',
      responses: { 200: { description: 'never' } },
      handler: async () => {
        throw Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: 'P1001' });
      },
    });
  const app = createHttpApp({ service: 'test', logger, metrics: createMetrics('test'), health, routers: [api], bodyLimit: '1kb' });
  return { app, created };
}

describe('createHttpApp', () => {
  it('passes a valid body to the handler, with defaults applied', async () => {
    const { app, created } = build();
    const res = await request(app).post('/api/invoices').send({ client_id: '6f1c2d1e-8a6b-4c9e-9a3e-0b7f3f1d2c4a', amount: 500 });
    expect(res.status).toBe(201);
    expect(created).toEqual([{ client_id: '6f1c2d1e-8a6b-4c9e-9a3e-0b7f3f1d2c4a', amount: 500, currency: 'GBP' }]);
  });

  it('answers an invalid body with 400 problem+json naming every failing field', async () => {
    const { app, created } = build();
    const res = await request(app).post('/api/invoices').send({ client_id: 'nope', amount: -1, colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'Bad Request', status: 400 });
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.amount', 'body.client_id', 'body.colour']);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'body.amount').pointer).toBe('/amount');
    expect(created).toHaveLength(0);
  });

  it('validates path and query parameters too', async () => {
    const { app } = build();
    const res = await request(app).get('/api/invoices/123?expand=everything');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['params.invoice_id', 'query.expand']);
  });

  it('answers malformed JSON with 400 and an oversized body with 413, both as problem+json', async () => {
    const { app } = build();
    const bad = await request(app).post('/api/invoices').set('content-type', 'application/json').send('{"amount": ');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const big = await request(app)
      .post('/api/invoices')
      .send({ client_id: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.body.title).toBe('Content Too Large');
  });

  it('refuses a string PostgreSQL cannot store (unpaired surrogate, NUL; JSON or form), naming the field, and keeps valid pairs', async () => {
    const { app, created } = build();
    const lone = await request(app)
      .post('/api/invoices')
      .set('content-type', 'application/json')
      .send('{"client_id": "\\ud800", "amount": 1}');
    expect(lone.status).toBe(400);
    expect(lone.body.errors).toEqual([{ field: 'body.client_id', pointer: '/client_id', detail: 'NUL or unpaired UTF-16 surrogate' }]);
    const nul = await request(app)
      .post('/api/invoices')
      .set('content-type', 'application/json')
      .send('{"amount": 1, "note": {"text": "a\\u0000b"}}');
    expect(nul.body.errors).toEqual([{ field: 'body.note.text', pointer: '/note/text', detail: 'NUL or unpaired UTF-16 surrogate' }]);
    const form = await request(app).post('/api/invoices').type('form').send('client_id=a%00b&amount=1');
    expect(form.status).toBe(400);
    expect(form.body.errors).toEqual([{ field: 'body.client_id', pointer: '/client_id', detail: 'NUL or unpaired UTF-16 surrogate' }]);
    const pair = await request(app)
      .post('/api/invoices')
      .set('content-type', 'application/json')
      .send('{"client_id": "\\ud83d\\ude00", "amount": 1}');
    expect(pair.status).toBe(400);
    expect(pair.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.client_id']);
    expect(pair.body.errors[0].detail).not.toMatch(/surrogate/);
    expect(created).toHaveLength(0);
    expect(created).toHaveLength(0);
  });

  it('turns HttpProblem into its status and unknown routes into 404 problem+json', async () => {
    const { app } = build();
    const missing = await request(app).get('/api/invoices/6f1c2d1e-8a6b-4c9e-9a3e-0b7f3f1d2c4a');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('not found');
    const unknown = await request(app).get('/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
  });

  it('hides internal errors: 500 problem+json without message or stack', async () => {
    const { app } = build();
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(JSON.stringify(res.body)).not.toContain('at ');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('answers 503 with Retry-After, not 500, when PostgreSQL or Redis is unreachable', async () => {
    const { app } = build();
    const res = await request(app).get('/db-down');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ title: 'Service Unavailable', status: 503 });
    expect(isBackingServiceDown(new Error('Connection is closed.'))).toBe(true);
    expect(isBackingServiceDown(new Error('boom'))).toBe(false);
  });

  it('sheds load beyond maxInFlight with 503 + Retry-After, and still answers /health', async () => {
    let release: () => void = () => undefined;
    // The handler says when a request has reached it (an event to wait for, not a guess at how long it takes).
    let arrived: () => void = () => undefined;
    const arrival = () => new Promise<void>((r) => (arrived = r));
    const slow = new ApiRouter().route({
      method: 'get',
      path: '/slow',
      summary: 'waits',
      responses: { 200: { description: 'ok' } },
      handler: async (_input, _req, res) => {
        const held = new Promise<void>((r) => (release = r));
        arrived();
        await held;
        res.json({ ok: true });
      },
    });
    const app = createHttpApp({
      service: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetrics('test'),
      health: {},
      routers: [slow],
      maxInFlight: 1,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const firstArrived = arrival();
      const first = request(server)
        .get('/slow')
        .then((r) => r);
      await firstArrived;
      const shed = await request(server).get('/slow');
      expect(shed.status).toBe(503);
      expect(shed.headers['retry-after']).toBe('1');
      expect((await request(server).get('/health')).status).toBe(200);
      release();
      expect((await first).status).toBe(200);
      const afterArrived = arrival();
      const after = request(server)
        .get('/slow')
        .then((r) => r);
      await afterArrived;
      release();
      expect((await after).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('keeps a well-formed incoming request id and makes one otherwise', async () => {
    const { app } = build();
    expect((await request(app).get('/health').set('x-request-id', 'abc-123')).headers['x-request-id']).toBe('abc-123');
    expect((await request(app).get('/health').set('x-request-id', 'bad id <script>')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports health 200 when every check is up and 503 naming the one that is down', async () => {
    expect((await request(build().app).get('/health')).body).toMatchObject({
      status: 'healthy',
      services: { database: 'healthy' },
      checks: { postgres: 'up' },
    });
    const { app } = build({
      postgres: async () => undefined,
      redis: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      stripe: async () => 'sandbox',
    });
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'unhealthy',
      services: { database: 'healthy', redis: 'unhealthy', stripe: 'healthy' },
      checks: { postgres: 'up', redis: 'down', stripe: 'sandbox' },
    });
    expect(res.body.errors.redis).toContain('ECONNREFUSED');
  });

  it('serves /metrics only with Authorization: Bearer <METRICS_TOKEN> when one is configured', async () => {
    const metrics = createMetrics('test', { token: 'metrics-token-0123456789' });
    const app = createHttpApp({ service: 'test', logger: createLogger({ service: 'test', destination: silent }), metrics, health: {} });
    expect((await request(app).get('/metrics')).status).toBe(401);
    expect((await request(app).get('/metrics').set('authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await request(app).get('/metrics').set('authorization', 'Bearer metrics-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('http_requests_total');
  });

  it('shows the business gauges read at scrape time', async () => {
    const metrics = createMetrics('test');
    let reads = 0;
    registerBusinessMetrics(metrics.registry, async () => {
      reads++;
      return {
        messages: [{ channel: 'email', outcome: 'delivered', count: 3 }],
        complianceDecisions: [{ rule: 'OUTSIDE_CONTACT_HOURS', verdict: 'refused', count: 2 }],
        paymentsApplied: [{ currency: 'GBP', count: 1, pence: 50_000 }],
        ivrIntents: [{ intent: 'payment_plan', count: 4 }],
        aiCalls: [{ outcome: 'payment_promised', count: 1, costPence: 38 }],
      };
    });
    const app = createHttpApp({ service: 'test', logger: createLogger({ service: 'test', destination: silent }), metrics, health: {} });
    const text = (await request(app).get('/metrics')).text;
    expect(text).toMatch(/recoup_messages\{channel="email",outcome="delivered",service="test"\} 3/);
    expect(text).toMatch(/recoup_compliance_decisions\{rule="OUTSIDE_CONTACT_HOURS",verdict="refused",service="test"\} 2/);
    expect(text).toMatch(/recoup_payments_applied_pence\{currency="GBP",service="test"\} 50000/);
    expect(text).toMatch(/recoup_ivr_intents\{intent="payment_plan",service="test"\} 4/);
    expect(text).toMatch(/recoup_ai_call_cost_pence\{outcome="payment_promised",service="test"\} 38/);
    expect(reads).toBe(1); // one read per scrape serves all seven gauges
  });

  it('answers 200 degraded when only an optional dependency is down', async () => {
    const { app } = build({
      postgres: async () => undefined,
      prediction: optionalCheck(async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8001');
      }),
    });
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'degraded', services: { database: 'healthy', prediction: 'unhealthy' } });
  });

  it('answers /health/ready 200 while ready and 503 (draining) once drained, while /health (liveness) stays 200', async () => {
    const { app } = build();
    expect((await request(app).get('/health/ready')).body).toMatchObject({ status: 'healthy', checks: { postgres: 'up', draining: 'up' } });
    readinessOf(app)?.drain();
    const ready = await request(app).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unhealthy', checks: { postgres: 'up', draining: 'down' } });
    expect((await request(app).get('/health')).status).toBe(200);
  });

  it('bounds a hanging check by the health timeout', async () => {
    const logger = createLogger({ service: 'test', destination: silent });
    const app = createHttpApp({
      service: 'test',
      logger,
      metrics: createMetrics('test'),
      health: { redis: () => new Promise(() => undefined) },
      healthTimeoutMs: 100,
    });
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.errors.redis).toContain('no answer within 100 ms');
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas, and Swagger UI', async () => {
    const { app } = build();
    const doc = (await request(app).get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/invoices'].post;
    expect(create.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateInvoice' });
    expect(doc.components.schemas.CreateInvoice.required).toEqual(['client_id', 'amount']);
    expect(create.responses['400'].content['application/problem+json']).toBeDefined();
    const get = doc.paths['/api/invoices/{invoice_id}'].get;
    expect(get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:invoice_id', 'query:expand']);
    expect(doc.paths['/health'].get.responses['503']).toBeDefined();
    const docs = await request(app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.text).toContain('/openapi.json');
  });

  it('exposes Prometheus metrics labelled by route template, not by raw URL', async () => {
    const { app } = build();
    await request(app).get('/api/invoices/6f1c2d1e-8a6b-4c9e-9a3e-0b7f3f1d2c4a');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_requests_total{method="GET",route="/api/invoices/:invoice_id",status="404",service="test"} 1');
    expect(res.text).not.toContain('6f1c2d1e');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('keeps the raw body of JSON and form posts for webhook signatures', async () => {
    const logger = createLogger({ service: 'test', destination: silent });
    let raw = '';
    const app = createHttpApp({
      service: 'test',
      logger,
      metrics: createMetrics('test'),
      health: {},
      configure: (a) =>
        a.post('/webhook', (req, res) => {
          raw = req.rawBody?.toString() ?? '';
          res.sendStatus(204);
        }),
    });
    await request(app).post('/webhook').type('form').send('CallSid=CA1&To=%2B44');
    expect(raw).toBe('CallSid=CA1&To=%2B44');
  });
});

describe('domain errors', () => {
  it('map to problem+json naming the field (not_found 404, conflict 409, invalid 400)', async () => {
    const { problemOfDomainError, HttpProblem } = await import('./problem');
    const domain = (code: string, field?: string) =>
      Object.assign(new Error('amount must be positive'), { name: 'CollectionsError', code, field });
    const invalid = problemOfDomainError(domain('invalid', 'amount')) as InstanceType<typeof HttpProblem>;
    expect(invalid).toBeInstanceOf(HttpProblem);
    expect(invalid.status).toBe(400);
    expect(invalid.extra.errors).toEqual([{ field: 'body.amount', pointer: '/amount', detail: 'amount must be positive' }]);
    expect((problemOfDomainError(domain('not_found')) as InstanceType<typeof HttpProblem>).status).toBe(404);
    expect((problemOfDomainError(domain('conflict')) as InstanceType<typeof HttpProblem>).status).toBe(409);
    const other = new Error('boom');
    expect(problemOfDomainError(other)).toBe(other);
  });
});
