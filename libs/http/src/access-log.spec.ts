import request from 'supertest';
import { createLogger, createMetrics } from '@recoup/observability';
import { createHttpApp } from './app';
import { HttpProblem } from './problem';
import { ApiRouter } from './routes';

function appWithLog() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (s: string) => lines.push(JSON.parse(s)) } });
  const router = new ApiRouter();
  router.router.get('/api/things/:id', (req, res) => {
    (req as unknown as { tenant: { id: string } }).tenant = { id: 'tenant-1' };
    req.log.info({ thing: req.params.id }, 'looked a thing up');
    res.json({ ok: true });
  });
  router.router.get('/api/broken', () => {
    throw new Error('boom');
  });
  router.router.get('/api/missing', () => {
    throw HttpProblem.notFound('No such thing');
  });
  const app = createHttpApp({ service: 'test', logger, metrics: createMetrics('test'), health: {}, routers: [router] });
  return { app, lines };
}

describe('access log', () => {
  it('writes one slim line per request: method, route, path, status, duration, request id and tenant; no headers', async () => {
    const { app, lines } = appWithLog();
    await request(app)
      .get('/api/things/42?email=someone@example.com')
      .set('Authorization', 'Bearer rcp_live_secretsecretsecretsecretsecretse')
      .set('X-Request-Id', 'req-1')
      .expect(200);
    const access = lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/api/things/:id',
      path: '/api/things/42',
      status: 200,
      request_id: 'req-1',
      tenant_id: 'tenant-1',
    });
    expect(typeof access[0]?.duration_ms).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('secret');
    expect(all).not.toContain('someone@example.com');
    expect(all).not.toContain('headers');
    // The handler's own line carries the request id (req.log is made on first use).
    expect(lines.find((l) => l.msg === 'looked a thing up')).toMatchObject({ requestId: 'req-1', thing: '42' });
  });

  it('logs 4xx at warn and 5xx at error, and skips /health and /metrics', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/api/missing').expect(404);
    await request(app).get('/api/broken').expect(500);
    await request(app).get('/health').expect(200);
    await request(app).get('/metrics').expect(200);
    const access = lines.filter((l) => l.msg === 'request');
    expect(access.map((l) => [l.level, l.status, l.route])).toEqual([
      ['warn', 404, '/api/missing'],
      ['error', 500, '/api/broken'],
    ]);
  });
});
