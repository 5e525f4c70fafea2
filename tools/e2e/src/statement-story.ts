import { randomBytes } from 'node:crypto';
import { StoryFailure, type StoryResult, type TimelineEvent } from './story';

/**
 * One reminder per debtor and the debtor portal, through the public HTTP APIs only: a debtor with three overdue
 * invoices, the automatic run, ONE statement email listing all three (each invoice's contact recorded against the one
 * message), then the debtor opens the portal from the email, pays all three in one go on the sandbox pay page, and every
 * invoice ends paid at its own amount. `npm run demo` style: each check logged, the first failing one throws.
 */
export interface StatementStoryOptions {
  collectionsUrl: string;
  adminApiKey: string;
  /** The emails the debtor received, as their provider holds them (the SendGrid fake in tests). */
  readEmails: (to: string) => Promise<Array<{ subject: string; text: string }>>;
  log?: (line: string) => void;
  stepTimeoutMs?: number;
}

export interface StatementStoryResult extends Pick<StoryResult, 'tenantId' | 'apiKey' | 'clientId' | 'checks'> {
  invoiceIds: string[];
  statementJobId: string;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const SENT = ['sent', 'delivered', 'opened', 'clicked', 'replied'];

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export async function runStatementStory(options: StatementStoryOptions): Promise<StatementStoryResult> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.stepTimeoutMs ?? 60_000;
  const base = options.collectionsUrl.replace(/\/+$/, '');
  const result: Partial<StatementStoryResult> & { checks: StoryResult['checks'] } = { checks: [] };
  const check = (step: string, ok: boolean, detail: string) => {
    result.checks.push({ step, ok, detail });
    log(`${ok ? 'ok  ' : 'FAIL'} ${step}: ${detail}`);
    if (!ok) throw new StoryFailure(`${step}: ${detail}`, result);
  };
  const call = async (method: string, path: string, auth: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json: json as Record<string, unknown> };
  };
  const expectStatus = (what: string, r: { status: number; json: unknown }, ...allowed: number[]) => {
    if (!allowed.includes(r.status)) throw new StoryFailure(`${what}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 500)}`, result);
  };
  /** A debtor page as a browser gets it (no credentials; the form's POSTs from the page's own origin). */
  const page = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: form ? { 'content-type': 'application/x-www-form-urlencoded', origin: base } : {},
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  const csrfOf = (html: string) => /name="csrf" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? '';

  // 1. A starter-tier tenant (no texts: every reminder goes by email; reminders are grouped per debtor by default),
  // contact hours widened so it runs at any hour.
  const suffix = randomBytes(3).toString('hex');
  const tenant = await call('POST', '/api/admin/tenants', options.adminApiKey, {
    name: `Harbour Supplies ${suffix}`,
    tier: 'starter',
    email: `accounts+${suffix}@harbour.example`,
    compliance_overrides: { contactHours: { enabled: false } },
  });
  expectStatus('create tenant', tenant, 201);
  const apiKey = (tenant.json.api_key as { key: string }).key;
  result.tenantId = (tenant.json.tenant as { id: string }).id;
  result.apiKey = apiKey;

  // 2. A debtor with three overdue invoices.
  const email = `finance+${suffix}@corner-cafe.example`;
  const client = await call('POST', '/api/clients', apiKey, { name: 'Corner Cafe Ltd', email, phone: '+447700900456', kind: 'business' });
  expectStatus('create client', client, 201);
  result.clientId = client.json.id as string;
  const now = Date.now();
  const amounts = [120, 240.5, 360];
  const invoices: Array<{ id: string; reference: string; amount: number }> = [];
  for (const [n, amount] of amounts.entries()) {
    const reference = `CC-${suffix.toUpperCase()}-${n + 1}`;
    const created = await call('POST', '/api/invoices', apiKey, {
      client_id: result.clientId,
      invoice_reference: reference,
      amount,
      currency: 'GBP',
      issue_date: isoDay(now - (40 + 10 * n) * DAY),
      due_date: isoDay(now - (10 + 10 * n) * DAY),
    });
    expectStatus('create invoice', created, 201);
    invoices.push({ id: created.json.id as string, reference, amount });
  }
  result.invoiceIds = invoices.map((i) => i.id);
  const total = amounts.reduce((a, b) => a + b, 0);

  // 3. The automatic run (as the daily scan does it): three due reminders of one debtor on one channel.
  const run = await call('POST', '/api/collections/run', apiKey, {});
  expectStatus('collections run', run, 200);
  check('the run escalates all three invoices', run.json.escalated === 3, JSON.stringify(run.json));

  const timeline = async (id: string) => {
    const r = await call('GET', `/api/invoices/${id}/timeline`, apiKey);
    expectStatus('timeline', r, 200);
    return (r.json.events as TimelineEvent[]) ?? [];
  };
  // 4. One statement email: each invoice's contact is sent, all with the same statement and provider message.
  // (Polled on one invoice: a starter tier allows 100 API calls an hour.)
  const emailContact = (events: TimelineEvent[]) => events.find((e) => e.type === 'contact_queued' && e.channel === 'email');
  await poll('the statement to be sent', timeoutMs, async () => {
    const c = emailContact(await timeline(invoices[0]?.id ?? ''));
    if (c && ['failed', 'bounced', 'blocked', 'cancelled'].includes(c.status ?? ''))
      throw new StoryFailure(`statement: attempt ended ${c.status} (${String(c.detail.failure_reason)})`, result);
    return c && SENT.includes(c.status ?? '') ? c : undefined;
  });
  const contacts: TimelineEvent[] = [];
  for (const inv of invoices) {
    const c = emailContact(await timeline(inv.id));
    check(`${inv.reference}'s contact recorded sent`, !!c && SENT.includes(c.status ?? ''), `status=${String(c?.status)}`);
    if (c) contacts.push(c);
  }
  const statements = new Set(contacts.map((c) => String(c.detail.statement_job_id)));
  const messages = new Set(contacts.map((c) => String(c.detail.provider_message_id)));
  check(
    'one statement for the three invoices',
    statements.size === 1 && messages.size === 1 && !statements.has('undefined'),
    `statement ${[...statements].join(',')}, provider message ${[...messages].join(',')}`,
  );
  result.statementJobId = [...statements][0];
  const received = await poll('the statement email at the provider', timeoutMs, async () => {
    const got = await options.readEmails(email);
    return got.length > 0 ? got : undefined;
  });
  const [mail] = received;
  check(
    'one email listing all three invoices with the total',
    received.length === 1 &&
      !!mail &&
      mail.subject.startsWith('Statement: 3 overdue invoices') &&
      invoices.every((i) => mail.text.includes(i.reference)) &&
      mail.text.includes(`£${total.toFixed(2)}`),
    `${received.length} email(s): "${mail?.subject ?? ''}"`,
  );

  // 5. The debtor opens the portal from the email: all three invoices, and pay all.
  const link = /https?:\/\/[^\s]+\/a\/([A-Za-z0-9_-]{22,64})/.exec(mail?.text ?? '');
  check('the email links to the debtor portal', !!link, link ? '/a/[token]' : 'no portal link in the email');
  const portalPath = `/a/${link?.[1] ?? ''}`;
  const portal = await page(portalPath);
  check(
    'the portal lists the three invoices and their total',
    portal.status === 200 &&
      invoices.every((i) => portal.html.includes(i.reference)) &&
      portal.html.includes(`Pay all 3 invoices (£${total.toFixed(2)})`),
    `HTTP ${portal.status}`,
  );
  const payAll = await page(`${portalPath}/pay`, { csrf: csrfOf(portal.html), invoice_id: 'all' });
  const payPath = payAll.location ? new URL(payAll.location, base).pathname : '';
  check(
    'pay all opens one payment for the total',
    payAll.status === 303 && /^\/pay\/cs_/.test(payPath),
    `HTTP ${payAll.status} → ${payPath}`,
  );

  // 6. The sandbox pay page (Stripe Checkout when live): one payment, applied per invoice by the core.
  const payPage = await page(payPath);
  check(
    'the pay page asks for the total',
    payPage.status === 200 && payPage.html.includes(`Pay £${total.toFixed(2)}`),
    `HTTP ${payPage.status}`,
  );
  const paid = await page(payPath, { csrf: csrfOf(payPage.html) });
  check('paid on the sandbox pay page', paid.status === 200 && paid.html.includes('Paid'), `HTTP ${paid.status}`);

  // 7. The ledger: each invoice paid at its own amount, one payment each, nothing left to send.
  for (const inv of invoices) {
    const r = await call('GET', `/api/invoices/${inv.id}`, apiKey);
    const payments = (await timeline(inv.id)).filter((e) => e.type === 'payment');
    check(
      `${inv.reference} paid`,
      r.json.status === 'paid' && r.json.balance === 0 && payments.length === 1 && payments[0]?.detail.amount === inv.amount,
      `status=${String(r.json.status)} balance=${String(r.json.balance)} payments=${payments.map((p) => String(p.detail.amount)).join(',')}`,
    );
  }
  const after = await page(portalPath);
  check('the portal has nothing left to pay', after.html.includes('Nothing to pay'), `HTTP ${after.status}`);
  check('still one email', (await options.readEmails(email)).length === 1, 'no further reminder');
  return result as StatementStoryResult;
}
