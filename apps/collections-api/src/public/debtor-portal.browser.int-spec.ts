import { execSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { mintDebtorLinkToken } from '@recoup/collections';
import { freePort } from '@recoup/testing';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';

/** Debian's chromium package, or CHROMIUM_PATH. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh', encoding: 'utf8' }).trim();
}

/**
 * The debtor portal in a real browser with JavaScript off: the debtor opens their link, sees every invoice by its
 * accessible names, pays all three through the sandbox pay page, and every invoice ends paid.
 */
describe('debtor portal in chromium (no JavaScript)', () => {
  let h: Harness;
  let t: TenantFixture;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The pages' own origin: their forms post back to it, and the pay links point at it.
    h = await createHarness({ COLLECTIONS_API_PUBLIC_URL: base });
    t = await h.tenant('Northwind Design Ltd');
    server = createServer(h.app);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it('shows every open invoice with its balance, and pays all three in one go', async () => {
    const client = await h.client(t, { name: 'Harbour Bakery Ltd' });
    const invoices: Array<{ id: string; invoice_reference: string }> = [];
    for (const [n, amount] of [120, 240.5, 360].entries()) {
      const created = await h.invoice(t, { client_id: client.id, amount, invoice_reference: `HB-10${n + 1}` });
      invoices.push({ id: created.id, invoice_reference: String(created.invoice_reference) });
    }
    const { token } = await mintDebtorLinkToken(h.database.db, { tenantId: t.id, invoiceId: invoices[0]!.id });

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/a/${token}`);
    expect(await page.title()).toBe('Your invoices from Northwind Design Ltd');
    await page.getByRole('heading', { level: 1, name: 'Your invoices from Northwind Design Ltd' }).waitFor();
    const table = page.getByRole('table', { name: 'Open invoices' });
    for (const ref of ['HB-101', 'HB-102', 'HB-103']) await table.getByRole('rowheader', { name: ref }).waitFor();
    expect(await table.getByRole('row', { name: /HB-102/ }).innerText()).toContain('£240.50');
    // Every field of the plan and query forms has a label (found by it), every button says what it does.
    for (const label of ['Number of monthly payments', 'First payment date', 'What is wrong']) await page.getByLabel(label).waitFor();
    await page.getByRole('button', { name: 'Pay HB-101 (£120.00)' }).waitFor();
    // The keyboard reaches the pay-all button.
    const payAll = page.getByRole('button', { name: 'Pay all 3 invoices (£720.50)' });
    await payAll.focus();
    await Promise.all([page.waitForURL(/\/pay\/cs_sandbox_/), page.keyboard.press('Enter')]);
    await page.getByRole('heading', { name: 'Pay £720.50' }).waitFor();
    expect(await page.textContent('body')).toContain('HB-101, HB-102, HB-103');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Pay £720.50' }).click()]);
    await page.getByRole('heading', { name: 'Paid' }).waitFor();

    // The ledger: each invoice paid at its own amount, one payment each.
    for (const [n, amountPence] of [120_00, 240_50, 360_00].entries()) {
      const inv = await h.database.db.invoice.findUniqueOrThrow({ where: { id: invoices[n]!.id }, include: { payments: true } });
      expect(inv).toMatchObject({ status: 'paid', paidPence: amountPence });
      expect(inv.payments.map((p) => p.amountPence)).toEqual([amountPence]);
    }
    await page.goto(`${base}/a/${token}`);
    await page.getByRole('heading', { level: 1, name: 'Nothing to pay to Northwind Design Ltd' }).waitFor();
    await context.close();
  });
});
