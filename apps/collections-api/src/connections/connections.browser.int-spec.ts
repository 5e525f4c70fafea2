import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Redis } from 'ioredis';
import { createDatabase, type Database } from '@recoup/db';
import {
  CHROMIUM_ARGS,
  chromiumPath,
  createTestDatabase,
  deletePrefix,
  freePort,
  serveScript,
  testQueuePrefix,
  testRedisUrl,
  waitFor,
  type TestDatabase,
} from '@recoup/testing';

const ROOT = path.resolve(__dirname, '../../../..');
const ADMIN_KEY = 'admin-key-for-the-connections-browser-test-0123';
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/**
 * The console's Connections view in chromium, against the gateway as a process (its accounting worker included) and the
 * console server as `npm start` serves them: connect the sandbox books (the consent URL opens in a new tab and lands
 * on the gateway's callback), the first sync's result, sync now, a revoked connection's error, disconnect.
 */
describe('the console: Connections', () => {
  let database: TestDatabase;
  let db: Database;
  let gateway: ChildProcess;
  let consoleServer: ChildProcess;
  let browser: Browser;
  let consoleUrl: string;
  let gatewayUrl: string;
  let tenantKey: string;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase(database.url);
    const [gatewayPort, consolePort] = [await freePort(), await freePort()];
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const gw = serveScript(
      'collections-api',
      'apps/collections-api/src/main.ts',
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        DATABASE_URL: database.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: prefix,
        ADMIN_API_KEY: ADMIN_KEY,
        STRIPE_WEBHOOK_SECRET: 'whsec_connections_browser_test_0123',
        INTERNAL_API_TOKEN: 'internal-token-for-the-connections-test',
        PREDICTION_URL: 'http://127.0.0.1:9',
        VOICE_AGENT_URL: 'http://127.0.0.1:9',
        COLLECTIONS_API_PUBLIC_URL: gatewayUrl,
        COLLECTIONS_SCAN_CRON: 'off',
        RETENTION_CRON: 'off',
        ACCOUNTING_SYNC_EVERY_MINUTES: 'off',
      },
      gatewayUrl,
    );
    gateway = gw.child;
    const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/ivr-dashboard/vite.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr}`);
    const cs = serveScript(
      'console server',
      'apps/ivr-dashboard/server/main.ts',
      {
        HOST: '127.0.0.1',
        DASHBOARD_PORT: String(consolePort),
        IVR_NEGOTIATION_URL: 'http://127.0.0.1:9',
        COLLECTIONS_API_URL: gatewayUrl,
      },
      consoleUrl,
    );
    consoleServer = cs.child;
    await Promise.all([gw.ready, cs.ready]);
    const created = await fetch(`${gatewayUrl}/api/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Books Console Ltd', tier: 'pro' }),
    });
    tenantKey = ((await created.json()) as { api_key: { key: string } }).api_key.key;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    consoleServer?.kill('SIGTERM');
    gateway?.kill('SIGTERM');
    await Promise.all([consoleServer, gateway].map((c) => (c && c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    const redis = new Redis(testRedisUrl());
    await deletePrefix(redis, prefix).finally(() => redis.quit());
    await db?.$disconnect();
    await database?.drop();
  });

  it('connects the sandbox books, shows the first sync, syncs now, shows a revoked connection’s error and disconnects', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${consoleUrl}/#/connections`);
    await page.getByTestId('api-key-input').fill(tenantKey);
    await page.getByTestId('api-key-submit').click();
    await page.getByText('No accounting system connected yet.').waitFor();

    // Connect: the consent screen opens in a new tab (the sandbox's goes straight to the gateway's callback).
    const consent = context.waitForEvent('page');
    await page.getByTestId('connect-sandbox').click();
    const tab = await consent;
    await tab.waitForLoadState();
    expect(tab.url()).toContain('/api/connections/sandbox/callback?');
    expect(await tab.textContent('body')).toContain('"status":"active"');
    await tab.close();

    const row = page.locator('[data-testid="connection-row"][data-provider="sandbox"]');
    await page.locator('[data-testid="connection-summary"]', { hasText: '4 imported' }).waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.locator('td').nth(1).textContent()).toBe('Sandbox Books Ltd');
    expect(await row.getByTestId('connection-summary').textContent()).toBe('4 imported · 0 updated · 1 payment');
    const firstSync = await row.getByTestId('connection-last-sync').textContent();
    expect(firstSync).not.toBe('never');
    if (UPDATE_SCREENSHOTS) {
      mkdirSync(path.join(ROOT, 'apps/ivr-dashboard/test-artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'apps/ivr-dashboard/test-artifacts/connections.png'), fullPage: true });
    }

    // Sync now: a second sync finds nothing new.
    const id = (await db.accountingConnection.findFirstOrThrow({ where: { provider: 'sandbox' } })).id;
    const before = (await db.accountingConnection.findUniqueOrThrow({ where: { id } })).lastSyncAt?.getTime() ?? 0;
    await row.getByTestId('connection-sync').click();
    await waitFor(async () => ((await db.accountingConnection.findUniqueOrThrow({ where: { id } })).lastSyncAt?.getTime() ?? 0) > before, {
      what: 'the second sync',
    });
    await page.locator('[data-testid="connection-summary"]', { hasText: /^0 imported/ }).waitFor();

    // A connection the books revoked: its status and error show, with Reconnect.
    await db.accountingConnection.update({
      where: { id },
      data: { status: 'revoked', lastError: 'sandbox refused the grant (invalid_grant): reconnect', lastErrorAt: new Date() },
    });
    await page.reload();
    await page.locator('[data-testid="connection-row"][data-status="revoked"]').waitFor();
    expect(await row.getByTestId('connection-last-error').textContent()).toContain('invalid_grant');
    expect(await row.getByTestId('connection-reconnect').isVisible()).toBe(true);
    expect(await row.getByTestId('connection-sync').count()).toBe(0);

    await row.getByTestId('connection-disconnect').click();
    await page.locator('[data-testid="connection-row"][data-status="disconnected"]').waitFor();
    expect((await db.accountingConnection.findUniqueOrThrow({ where: { id } })).tokensSealed).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
