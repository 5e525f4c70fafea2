/// <reference lib="dom" />
import { spawn, spawnSync, execSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SandboxEmailSender } from '@recoup/providers/email';
import { SandboxLetterSender } from '@recoup/providers/letters';
import { SandboxSmsSender } from '@recoup/providers/sms';
import { deletePrefix, freePort, testQueuePrefix, testRedisUrl, waitFor } from '@recoup/testing';
import { Redis } from 'ioredis';
import { ADMIN_KEY, TWILIO_TOKEN, api, startIvr, type IvrHarness } from '../testing/harness';
import { seedDebtor } from '../testing/seed';

const ROOT = path.resolve(__dirname, '../../../..');
const ARTIFACTS = path.join(ROOT, 'apps/ivr-dashboard/test-artifacts');
/** Screenshots for apps/ivr-dashboard/README.md are rewritten only on request, so a test run leaves the tree clean. */
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** Debian's chromium package (installed by .ci/run when missing), or CHROMIUM_PATH. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install chromium (.ci/run does it), or set CHROMIUM_PATH');
  }
}

/** A service as a process on a loopback port, its output kept for the failure message. */
function serve(what: string, script: string, env: NodeJS.ProcessEnv, url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const ready = waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, {
    what: `${what} (${output.slice(-400)})`,
    timeoutMs: 30_000,
  });
  return { child, ready };
}

const LETTER = {
  date: '18 November 2026',
  sender: { name: 'Acme Lending', addressLines: ['1 High Street', 'London', 'EC1A 1AA'] },
  subject: 'Final notice before further action',
  greeting: 'Dear Erin Outbox,',
  paragraphs: ['Invoice INV-CONSOLE-1 is 60 days overdue. Please pay or contact us to agree a plan.'],
  facts: [['Balance', '£500.00']] as Array<[string, string]>,
  notices: ['If you are struggling, free debt advice is available from MoneyHelper.'],
  signOff: ['Yours sincerely', 'Acme Lending'],
};

/**
 * The console in a real browser, as `npm start` serves it: `vite build`, then the console server
 * (apps/ivr-dashboard/server) proxying /api to a running ivr-negotiation (calls made through the
 * fake Twilio) and /gw/api to a running collections-api on the same database. chromium (driven by
 * playwright-core) visits each page: IVR calls live, the outbox and an invoice's journey.
 */
describe('the console in chromium', () => {
  let h: IvrHarness;
  let gateway: ChildProcess;
  let consoleServer: ChildProcess;
  let browser: Browser;
  let consoleUrl: string;
  let gatewayUrl: string;
  const gatewayPrefix = testQueuePrefix();

  async function call(answers: string[], name?: string) {
    const { client, invoice } = await seedDebtor(h.deps.db, h.tenantId, { now: h.clock(), name });
    const res = await api(h, '/api/calls/outbound', {
      method: 'POST',
      body: JSON.stringify({ client_id: client.id, invoice_id: invoice.id }),
    });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const c = await h.twilio.nextCall(client.phone ?? '');
    // The debtor confirms who they are first: the offer comes only after our identity check.
    await h.twilio.answerAsDebtor(c);
    for (const a of answers) await h.twilio.say(c, a);
    return c;
  }

  async function gw(pathname: string, body?: unknown) {
    const res = await fetch(gatewayUrl + pathname, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${h.tenantKey}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** What the notifier leaves behind for one send: its contact attempt (job id = send key) and the sandbox adapter's record. */
  async function sent(clientId: string, invoiceId: string, channel: 'email' | 'sms' | 'letter') {
    const jobId = `console-${channel}-${randomUUID()}`;
    await h.deps.db.contactAttempt.create({
      data: { tenantId: h.tenantId, clientId, invoiceId, channel, purpose: 'reminder', jobId, status: 'delivered', provider: 'sandbox' },
    });
    if (channel === 'email')
      await new SandboxEmailSender(h.deps.db).send({
        idempotencyKey: jobId,
        to: 'erin@debtor.example',
        subject: 'Invoice INV-CONSOLE-1 is overdue',
        html: '<h2 style="color:#0969da">Acme Lending</h2><p>Your invoice <b>INV-CONSOLE-1</b> for £500.00 is overdue.</p><p><a href="http://127.0.0.1:8000/p/demo">Pay now</a></p><script>document.body.innerHTML = "scripted"</script>',
        text: 'Your invoice INV-CONSOLE-1 for £500.00 is overdue.',
        customArgs: {},
      });
    if (channel === 'sms')
      await new SandboxSmsSender(h.deps.db).send({
        idempotencyKey: jobId,
        to: '+447700900123',
        body: 'Acme Lending: invoice INV-CONSOLE-1 (£500.00) is overdue. Pay securely at http://127.0.0.1:8000/p/demo or reply CALL ME. Reply STOP to opt out.',
      });
    if (channel === 'letter')
      await new SandboxLetterSender(h.deps.db).send({
        idempotencyKey: jobId,
        recipientName: 'Erin Outbox',
        address: { lines: ['2 Low Road', 'Leeds'], postcode: 'LS1 1AA' },
        content: LETTER,
      });
  }

  beforeAll(async () => {
    h = await startIvr();
    await call(['Yes, I accept.'], 'Alice Accepts');
    await call(["No, I can't afford that."], 'Bob Negotiates');
    await call(['Hmm, I need to think about it.'], 'Carol Unsure');

    const [gatewayPort, consolePort] = [await freePort(), await freePort()];
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const gatewayProcess = serve(
      'collections-api',
      'apps/collections-api/src/main.ts',
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        DATABASE_URL: h.database.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: gatewayPrefix,
        ADMIN_API_KEY: ADMIN_KEY,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        STRIPE_WEBHOOK_SECRET: 'whsec_console_browser_test_0123456789',
        INTERNAL_API_TOKEN: 'internal-token-for-the-console-test-0123',
        PREDICTION_URL: 'http://127.0.0.1:9',
        VOICE_AGENT_URL: 'http://127.0.0.1:9',
        COLLECTIONS_SCAN_CRON: 'off',
        RETENTION_CRON: 'off',
      },
      gatewayUrl,
    );
    gateway = gatewayProcess.child;
    // The console as npm start serves it: one vite build, then its server.
    const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/ivr-dashboard/vite.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr}`);
    const consoleProcess = serve(
      'console server',
      'apps/ivr-dashboard/server/main.ts',
      { HOST: '127.0.0.1', DASHBOARD_PORT: String(consolePort), IVR_NEGOTIATION_URL: h.url, COLLECTIONS_API_URL: gatewayUrl },
      consoleUrl,
    );
    consoleServer = consoleProcess.child;
    await Promise.all([gatewayProcess.ready, consoleProcess.ready]);

    // One invoice's story through the gateway, and what was "sent" about it.
    const client = await gw('/api/clients', {
      name: 'Erin Outbox',
      email: 'erin@debtor.example',
      phone: '+447700900123',
      kind: 'business',
    });
    const invoice = await gw('/api/invoices', {
      client_id: client.id,
      invoice_reference: 'INV-CONSOLE-1',
      amount: 500,
      issue_date: '2026-08-01',
      due_date: '2026-09-01',
    });
    const [clientId, invoiceId] = [String(client.id), String(invoice.id)];
    await sent(clientId, invoiceId, 'email');
    await sent(clientId, invoiceId, 'sms');
    await h.deps.db.complianceAudit.create({
      data: {
        tenantId: h.tenantId,
        clientId,
        invoiceId,
        channel: 'sms',
        purpose: 'reminder',
        actor: 'collections-scheduler',
        allowed: false,
        reasons: ['contact_frequency_exceeded'],
        ruleSetVersion: 'test',
        evaluatedAt: new Date(),
      },
    });
    await sent(clientId, invoiceId, 'letter');
    await h.deps.db.call.create({
      data: {
        tenantId: h.tenantId,
        clientId,
        invoiceId,
        kind: 'ai',
        status: 'completed',
        outcome: 'promise_to_pay',
        costPence: 38,
        durationSeconds: 94,
        turns: {
          create: [
            { sequence: 0, speaker: 'ai', text: 'Hello, this is the assistant for Acme Lending about invoice INV-CONSOLE-1.' },
            { sequence: 1, speaker: 'user', text: 'I can pay one hundred pounds today and the rest next month.' },
          ],
        },
      },
    });
    await gw(`/api/invoices/${invoiceId}/payments`, { amount: 100, method: 'bank_transfer', reference: 'first part' });
    await gw(`/api/invoices/${invoiceId}/dispute`, { action: 'open', reason: 'The second delivery never arrived' });

    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    consoleServer?.kill('SIGTERM');
    gateway?.kill('SIGTERM');
    await Promise.all([consoleServer, gateway].map((c) => (c && c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    const redis = new Redis(testRedisUrl());
    await deletePrefix(redis, gatewayPrefix).finally(() => redis.quit());
    await h?.close();
  });

  async function screenshot(page: Page, name: string) {
    if (!UPDATE_SCREENSHOTS) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  it('signs in with a tenant key and shows IVR calls live, the outbox as sent, and an invoice’s journey', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(consoleUrl);
    await page.getByTestId('api-key-input').fill(h.tenantKey);
    await page.getByTestId('api-key-submit').click();

    // IVR calls: stats, colour-coded badges, a transcript, a new call arriving live, the status filter.
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
    expect(await transcript.textContent()).toContain('automated call from Acme Lending');
    // The caller's identity answer is never shown (nor stored), and the balance came only after it.
    expect(await transcript.textContent()).toContain('[identity answer withheld]');
    expect(await transcript.textContent()).not.toContain('SW1A');

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
    await screenshot(page, 'calls');

    // Outbox: newest first; the email rendered in a sandboxed frame (its script never ran), the SMS with its segments,
    // the letter's PDF, the AI call's transcript, outcome and cost.
    await page.getByTestId('tab-outbox').click();
    await page.getByTestId('outbox-item').first().waitFor();
    const kinds = await page.locator('[data-testid="outbox-item"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
    expect(kinds).toEqual(['ai_call', 'letter', 'sms', 'email']);
    const email = page.frameLocator('[data-testid="email-frame"]');
    await email.locator('text=Pay now').waitFor();
    expect(await email.locator('body').textContent()).toContain('INV-CONSOLE-1 for £500.00 is overdue');
    expect(await page.getByTestId('email-frame').getAttribute('sandbox')).toBe('');
    expect(await page.getByTestId('sms-text').textContent()).toMatch(/Reply STOP to opt out\. · 1 segment$/);
    const aiCall = page.locator('[data-testid="outbox-item"][data-kind="ai_call"]');
    expect(await aiCall.textContent()).toContain('I can pay one hundred pounds today');
    expect(await aiCall.textContent()).toContain('Outcome: promise_to_pay');
    expect(await aiCall.textContent()).toContain('£0.38');
    const pdf = page.waitForResponse((r) => r.url().includes('/gw/api/outbox/') && r.url().endsWith('/document'));
    await page.getByTestId('letter-show').click();
    const pdfResponse = await pdf;
    expect(pdfResponse.headers()['content-type']).toBe('application/pdf');
    expect((await pdfResponse.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await page.getByTestId('letter-frame').getAttribute('src')).toMatch(/^blob:/);
    await page.getByTestId('outbox-kind').selectOption('sms');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="outbox-item"]').length === 1);
    await page.getByTestId('outbox-kind').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="outbox-item"]').length === 4);
    // (The letter's PDF is left closed for the screenshot: headless chromium paints its PDF viewer as a blank dark box.)
    await screenshot(page, 'outbox');

    // From a message to its invoice's journey: created, each contact with its compliance decision, the payment, the dispute.
    await page.locator('[data-testid="outbox-item"][data-kind="email"] [data-testid="outbox-invoice-link"]').click();
    await page.getByTestId('timeline').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Invoice INV-CONSOLE-1');
    expect(await page.getByTestId('invoice-balance').textContent()).toBe('£400.00');
    const timeline = await page.getByTestId('timeline').textContent();
    for (const text of [
      'Invoice created',
      'Email allowed and queued',
      'SMS allowed and queued',
      'SMS blocked by compliance',
      'reasons: contact_frequency_exceeded',
      'Letter allowed and queued',
      'Payment succeeded',
      'amount: 100.00 GBP',
    ])
      expect(timeline).toContain(text);
    expect(await page.locator('[data-testid="timeline-event"].dispute').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'journey');

    // The journey links back to the invoice's messages; the invoice list leads to journeys.
    await page.getByTestId('journey-outbox-link').click();
    await page.getByTestId('outbox-invoice-filter').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="outbox-item"]').length === 4);
    await page.getByTestId('tab-invoices').click();
    await page.getByTestId('invoices-table').waitFor();
    expect(await page.locator('[data-testid="invoice-row"]').count()).toBe(5);
    expect(await page.locator('[data-testid="invoice-row"]', { hasText: 'INV-CONSOLE-1' }).textContent()).toContain('£400.00');
    await screenshot(page, 'invoices');
    await page.locator('[data-testid="invoice-row"] a', { hasText: 'INV-CONSOLE-1' }).click();
    await page.getByTestId('timeline').waitFor();
    expect(consoleErrors).toEqual([]);

    // The admin key: the gateway pages ask for a tenant; once picked, they read it (X-Tenant-Id) and IVR calls narrow to it.
    const admin = await browser.newPage();
    admin.on('pageerror', (err) => consoleErrors.push(err.message));
    await admin.goto(`${consoleUrl}/#/outbox`);
    await admin.getByTestId('api-key-input').fill(ADMIN_KEY);
    await admin.getByTestId('api-key-submit').click();
    await admin.getByTestId('pick-tenant').waitFor();
    const picker = admin.getByTestId('tenant-picker');
    await picker.locator(`option[value="${h.tenantId}"]`).waitFor({ state: 'attached' });
    const tenantHeader = admin.waitForRequest((r) => r.url().includes('/gw/api/outbox') && r.headers()['x-tenant-id'] === h.tenantId);
    await picker.selectOption(h.tenantId);
    await tenantHeader;
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid="outbox-item"]').length === 4);
    await admin.getByTestId('tab-invoices').click();
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid="invoice-row"]').length === 5);
    const scopedCalls = admin.waitForRequest((r) => r.url().includes(`/api/calls?`) && r.url().includes(`tenant_id=${h.tenantId}`));
    await admin.getByTestId('tab-calls').click();
    await scopedCalls;
    await admin.waitForFunction(() => document.querySelector('[data-testid="stat-total"]')?.textContent === '4');
    // The live stream opens for the picked tenant too.
    await admin.waitForFunction(() => document.querySelector('[data-testid="live-indicator"]')?.textContent?.includes('Live'));
    expect(consoleErrors).toEqual([]);
    await admin.close();
  }, 90_000);
});
