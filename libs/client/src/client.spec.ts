import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCollectionsApiClient, unwrap } from './index';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVICES = ['collections-api', 'prediction', 'voice-agent', 'ivr-negotiation', 'notifier'];

describe('the OpenAPI documents and the typed client', () => {
  it('lint with 0 errors under .spectral.yaml (spectral:oas)', async () => {
    const files = SERVICES.map((s) => path.join('libs', 'client', 'openapi', `${s}.json`));
    const cli = path.join(ROOT, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
    const { stdout } = await run(process.execPath, [cli, 'lint', ...files, '--ruleset', '.spectral.yaml', '-f', 'json', '--quiet'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }));
    const results = JSON.parse(stdout || '[]') as Array<{
      code: string;
      message: string;
      severity: number;
      source: string;
      path: string[];
    }>;
    const errors = results
      .filter((r) => r.severity === 0)
      .map((r) => `${path.basename(r.source)} ${r.code} ${r.path.join('.')}: ${r.message}`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('has types generated from the checked-in documents (npm run client:generate)', async () => {
    const result = await run(process.execPath, [path.join(ROOT, 'tools', 'scripts', 'client-types.mjs'), '--check'], { cwd: ROOT }).then(
      () => 'current',
      (err: { stderr?: string }) => err.stderr ?? 'failed',
    );
    expect(result).toBe('current');
  }, 60_000);

  it('sends the bearer token and X-Tenant-Id, and turns a problem+json answer into an error naming it', async () => {
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      if (req.url?.startsWith('/api/invoices/')) {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such invoice' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [], next_cursor: null }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const api = createCollectionsApiClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: 'rcp_test_abc',
        tenantId: 'c0ffee00-0000-4000-8000-000000000000',
      });
      const list = unwrap(await api.GET('/api/invoices', { params: { query: { status: 'overdue' } } }));
      expect(list.data).toEqual([]);
      expect(seen[0]?.headers.authorization).toBe('Bearer rcp_test_abc');
      expect(seen[0]?.headers['x-tenant-id']).toBe('c0ffee00-0000-4000-8000-000000000000');
      expect(seen[0]?.url).toBe('/api/invoices?status=overdue');
      const missing = await api.GET('/api/invoices/{invoice_id}', {
        params: { path: { invoice_id: '3f0d9a52-6c1e-4b7a-9c2d-8e5f4a1b2c3d' } },
      });
      expect(() => unwrap(missing)).toThrow('404 Not Found: No such invoice');
    } finally {
      server.close();
    }
  });
});
