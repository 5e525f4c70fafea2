/// <reference lib="dom" />
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort, waitFor } from '@recoup/testing';
import { api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

const ROOT = path.resolve(__dirname, '../../../..');
const ARTIFACTS = path.join(ROOT, 'apps/ivr-dashboard/test-artifacts');

/** Debian's chromium package (installed by .ci/run when missing), or CHROMIUM_PATH. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install chromium (.ci/run does it), or set CHROMIUM_PATH');
  }
}

/**
 * The dashboard in a real browser: Vite serves apps/ivr-dashboard and proxies /api to a running
 * ivr-negotiation service with calls made through the fake Twilio; chromium (driven by
 * playwright-core) checks the stats and a badge, expands a row, and sees a new call arrive live.
 */
describe('IVR dashboard in chromium', () => {
  let h: IvrHarness;
  let vite: ChildProcess;
  let browser: Browser;
  let dashboardUrl: string;

  async function call(answers: string[], name?: string) {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), name });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const c = await h.twilio.nextCall(client.phone ?? '');
    await h.twilio.answer(c);
    for (const a of answers) await h.twilio.say(c, a);
    return c;
  }

  beforeAll(async () => {
    h = await startIvr();
    await call(['Yes, I accept.'], 'Alice Accepts');
    await call(["No, I can't afford that."], 'Bob Negotiates');
    await call(['Hmm, I need to think about it.'], 'Carol Unsure');
    const port = await freePort();
    dashboardUrl = `http://127.0.0.1:${port}`;
    vite = spawn(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), '--config', 'apps/ivr-dashboard/vite.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, DASHBOARD_PORT: String(port), IVR_NEGOTIATION_URL: h.url, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    vite.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    vite.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(async () => (await fetch(dashboardUrl).catch(() => undefined))?.ok, {
      what: `vite dev server (${output.slice(-300)})`,
      timeoutMs: 30_000,
    });
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    vite?.kill('SIGTERM');
    await h?.close();
  });

  it('shows stats and colour-coded badges, expands a transcript, adds a new call live, and filters by status', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboardUrl);
    await page.getByTestId('api-key-input').fill(h.tenantKey);
    await page.getByTestId('api-key-submit').click();

    await page.getByTestId('calls-table').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="stat-total"]')?.textContent === '3');
    expect(await page.getByTestId('stat-willing').textContent()).toBe('1');
    expect(await page.getByTestId('stat-negotiating').textContent()).toBe('1');
    expect(await page.getByTestId('stat-pending').textContent()).toBe('1');
    expect(await page.getByTestId('stat-agreed').textContent()).toBe('£600.00');

    const green = page.locator('[data-testid="intent-badge"][data-intent="willing_to_pay"]');
    expect(await green.textContent()).toBe('Willing to pay');
    expect(await green.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(26, 127, 55)');
    expect(await page.locator('[data-intent="needs_negotiation"]').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(212, 118, 10)',
    );
    expect(await page.locator('[data-intent="unclear"]').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(31, 111, 235)');

    await page.locator('[data-testid="call-row"]', { hasText: 'Alice Accepts' }).click();
    const transcript = page.locator('[data-testid^="transcript-"]');
    await transcript.waitFor();
    expect(await transcript.textContent()).toContain('Yes, I accept.');
    expect(await transcript.textContent()).toContain('courtesy call from Acme Lending');

    await page.waitForFunction(() => document.querySelector('[data-testid="live-indicator"]')?.textContent?.includes('Live'));
    await call([], 'Dan Newcall');
    await page.locator('[data-testid="call-row"]', { hasText: 'Dan Newcall' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="stat-total"]')?.textContent === '4');
    expect(await page.locator('[data-testid="call-row"]').count()).toBe(4);

    await page.getByTestId('filter-status').selectOption('confirmed');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="call-row"]').length === 1);
    expect(await page.locator('[data-testid="call-row"]').textContent()).toContain('Alice Accepts');
    expect(await page.getByTestId('stat-total').textContent()).toBe('1');
    await page.getByTestId('filter-status').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="call-row"]').length === 4);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  }, 60_000);
});
