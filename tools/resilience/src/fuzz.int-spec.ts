import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ApiRouter, closeServer, createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { runFuzz } from './fuzz';

/**
 * The platform's HTTP layer (body parsing, zod validation, problem+json) under the fuzzer: a
 * route shaped like the gateway's must answer every hostile body with a 4xx and stay healthy.
 */
describe('fuzzer against the platform HTTP layer', () => {
  let server: Server;
  let baseUrl: string;
  const received: unknown[] = [];

  beforeAll(async () => {
    const router = new ApiRouter().route({
      method: 'post',
      path: '/api/invoices/:invoice_id/payments',
      summary: 'fuzz target',
      request: {
        params: z.object({ invoice_id: z.uuid() }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
        body: z
          .object({
            amount: z.number().positive().max(1e9),
            currency: z.enum(['GBP', 'USD']).default('GBP'),
            reference: z.string().max(200),
            paid_at: z.iso.datetime(),
          })
          .strict(),
      },
      responses: { 201: { description: 'ok' } },
      handler: ({ body }, _req, res) => {
        received.push(body);
        res.status(201).json({ ok: true });
      },
    });
    const app = createHttpApp({
      service: 'fuzz',
      logger: createLogger({ service: 'fuzz', level: 'silent' }),
      metrics: createMetrics('fuzz'),
      health: {},
      routers: [router],
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => closeServer(server, 1_000));

  it('answers every hostile request without a 5xx and stays healthy', async () => {
    const report = await runFuzz([{ name: 'fuzz', baseUrl }], { perRoute: 300, concurrency: 8 });
    expect(report.requests).toBeGreaterThanOrEqual(300);
    expect(report.serverErrors).toEqual([]);
    expect(report.connectionErrors).toEqual([]);
    expect(report.unhealthyAfter).toEqual([]);
    expect(report.byStatus['4xx']).toBeGreaterThan(0);
    // Nothing hostile got through validation with a polluted prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
