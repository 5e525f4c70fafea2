/**
 * The demo tenant `npm run seed` (and `npm start -- --demo`) creates on a running sandbox stack, through the public HTTP
 * APIs only: "Demo Creditor Ltd" with a dozen debtors whose invoices are in every state a newcomer should see, an IVR
 * campaign the sandbox phone answers (each debtor's script is chosen by their number's last digit, see
 * apps/ivr-negotiation/src/sandbox/debtor-scripts.ts) and a reminder run by email and SMS.
 *
 * Idempotent: the tenant is found again (its key kept in .run/demo.env, or by name), debtors by email, invoices by their
 * fixed references; a payment, dispute, plan, call or reminder is only made when the invoice does not show it yet.
 */

export const DEMO_TENANT_NAME = 'Demo Creditor Ltd';

type Script = 'accept' | 'negotiate' | 'repeat_then_accept' | 'silence';
/** The sandbox phone's debtor for a number ending in this digit (0 accept, 1 negotiate, 2 repeat then accept, 3 silence). */
const SCRIPT_DIGIT: Record<Script, number> = { accept: 0, negotiate: 1, repeat_then_accept: 2, silence: 3 };

interface DemoDebtor {
  ref: string;
  name: string;
  kind: 'business' | 'consumer';
  amount: number;
  /** Days past due (negative: not due yet). */
  overdueDays: number;
  /** What happens to the invoice, and how the debtor is contacted. */
  state: 'open' | 'overdue' | 'partially_paid' | 'paid' | 'disputed' | 'plan';
  contact?: { ivr: Script } | { reminder: 'email' | 'sms' };
  vulnerable?: string;
}

/** Fixed references: a second run finds every one. */
export const DEMO_DEBTORS: DemoDebtor[] = [
  {
    ref: 'DEMO-1001',
    name: 'Harbour Lights Cafe Ltd',
    kind: 'business',
    amount: 640,
    overdueDays: 21,
    state: 'overdue',
    contact: { ivr: 'accept' },
  },
  {
    ref: 'DEMO-1002',
    name: 'Priya Shah',
    kind: 'consumer',
    amount: 540,
    overdueDays: 35,
    state: 'overdue',
    contact: { ivr: 'negotiate' },
  },
  {
    ref: 'DEMO-1003',
    name: 'Tom Okafor',
    kind: 'consumer',
    amount: 480,
    overdueDays: 18,
    state: 'overdue',
    contact: { ivr: 'repeat_then_accept' },
  },
  {
    ref: 'DEMO-1004',
    name: 'Greenway Joinery Ltd',
    kind: 'business',
    amount: 2350,
    overdueDays: 44,
    state: 'overdue',
    contact: { ivr: 'silence' },
  },
  {
    ref: 'DEMO-1005',
    name: 'Fenwick & Daughters',
    kind: 'business',
    amount: 980,
    overdueDays: 12,
    state: 'overdue',
    contact: { reminder: 'email' },
  },
  { ref: 'DEMO-1006', name: 'Alice Mercer', kind: 'consumer', amount: 320, overdueDays: 9, state: 'overdue', contact: { reminder: 'sms' } },
  {
    ref: 'DEMO-1007',
    name: 'Northgate Print Co',
    kind: 'business',
    amount: 1500,
    overdueDays: 30,
    state: 'partially_paid',
    contact: { reminder: 'email' },
  },
  { ref: 'DEMO-1008', name: 'Ben Adeyemi', kind: 'consumer', amount: 250, overdueDays: 5, state: 'paid' },
  { ref: 'DEMO-1009', name: 'Castle Lane Dental Ltd', kind: 'business', amount: 760, overdueDays: 26, state: 'disputed' },
  { ref: 'DEMO-1010', name: 'Sarah Lindqvist', kind: 'consumer', amount: 900, overdueDays: 40, state: 'plan' },
  {
    ref: 'DEMO-1011',
    name: 'Martin Doyle',
    kind: 'consumer',
    amount: 410,
    overdueDays: 15,
    state: 'overdue',
    vulnerable: 'Told us on the phone he is recovering from surgery; contact by letter or email only, no calls.',
    contact: { reminder: 'email' },
  },
  { ref: 'DEMO-1012', name: 'Riverside Florists Ltd', kind: 'business', amount: 1875, overdueDays: -14, state: 'open' },
];

/**
 * A number in Ofcom's drama range for mobiles (07700 900xxx: fictional, it reaches no one), ending in the digit that picks
 * the sandbox debtor's script.
 */
function phoneOf(index: number, d: DemoDebtor): string {
  const digit = d.contact && 'ivr' in d.contact ? SCRIPT_DIGIT[d.contact.ivr] : 4 + (index % 6);
  return `+447700900${String(index + 1).padStart(2, '0')}${digit}`;
}
const emailOf = (d: DemoDebtor) => `${d.ref.toLowerCase()}@debtor.example`;

export interface SeedOptions {
  collectionsUrl: string;
  ivrUrl: string;
  adminApiKey: string;
  /** The key a previous run saved, if any. */
  savedKey?: { tenantId: string; apiKey: string };
  now?: Date;
  log?: (line: string) => void;
}

export interface SeedResult {
  tenantId: string;
  apiKey: string;
  created: { tenant: boolean; clients: number; invoices: number };
  campaign: { queued: number; scheduled: number; refused: number; alreadyCalled: number; inbound: number };
  reminders: { queued: number; alreadySent: number };
}

export class SeedFailure extends Error {}

interface Json {
  status: number;
  json: Record<string, unknown> & { data?: Array<Record<string, unknown>>; next_cursor?: string | null };
}

async function request(base: string, method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base.replace(/\/+$/, '') + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json } as Json;
}

function expectOk(what: string, r: Json, ...ok: number[]): Json {
  if (!ok.includes(r.status)) throw new SeedFailure(`${what}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
  return r;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function seedDemo(o: SeedOptions): Promise<SeedResult> {
  const log = o.log ?? (() => undefined);
  const now = (o.now ?? new Date()).getTime();
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    request(o.collectionsUrl, method, path, apiKey, body, headers);
  const admin = (method: string, path: string, body?: unknown) => request(o.collectionsUrl, method, path, o.adminApiKey, body);

  // 1. The tenant: the saved key if it still works, else the tenant found again (a fresh key), else a new one.
  let tenantId = '';
  let apiKey = '';
  let createdTenant = false;
  if (o.savedKey && (await request(o.collectionsUrl, 'GET', '/api/clients?limit=1', o.savedKey.apiKey)).status === 200) {
    ({ tenantId, apiKey } = o.savedKey);
    log(`tenant ${DEMO_TENANT_NAME} (${tenantId}): found again with the saved key`);
  } else {
    // The operator's list of tenants, where the stack has one; else the id a previous run saved.
    const listed = await admin('GET', '/api/admin/tenants');
    const rows = listed.status === 200 ? ((listed.json.data ?? listed.json.tenants ?? listed.json) as unknown) : [];
    const byName = Array.isArray(rows)
      ? (rows as Array<{ id?: string; name?: string }>).find((t) => t.name === DEMO_TENANT_NAME)
      : undefined;
    const known = byName?.id ?? o.savedKey?.tenantId;
    const rotated = known ? await admin('POST', `/api/admin/tenants/${known}/api-keys/rotate`) : undefined;
    if (known && (rotated?.status === 201 || rotated?.status === 200)) {
      tenantId = known;
      apiKey = String((rotated.json.key ?? (rotated.json.api_key as { key?: string } | undefined)?.key) as string);
      log(`tenant ${DEMO_TENANT_NAME} (${tenantId}): found again; its keys were rotated (the old demo key no longer works)`);
    } else {
      const created = expectOk(
        'create the demo tenant',
        await admin('POST', '/api/admin/tenants', {
          name: DEMO_TENANT_NAME,
          tier: 'pro',
          email: 'accounts@demo-creditor.example',
          // A demo runs at any hour: the contact-hours rule is switched off for this tenant only (audited as an override).
          compliance_overrides: { contactHours: { enabled: false } },
        }),
        201,
      );
      tenantId = (created.json.tenant as { id: string }).id;
      apiKey = (created.json.api_key as { key: string }).key;
      createdTenant = true;
      log(`tenant ${DEMO_TENANT_NAME} (${tenantId}): created`);
    }
  }

  // 2. Debtors, found by email.
  const clients = new Map<string, string>();
  for (let cursor: string | null | undefined = undefined; ;) {
    const page = expectOk(
      'list clients',
      await api('GET', `/api/clients?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      200,
    );
    for (const c of page.json.data ?? []) if (typeof c.email === 'string') clients.set(c.email, String(c.id));
    cursor = page.json.next_cursor;
    if (!cursor) break;
  }
  let newClients = 0;
  for (const [i, d] of DEMO_DEBTORS.entries()) {
    if (clients.has(emailOf(d))) continue;
    const c = expectOk(
      `create debtor ${d.name}`,
      await api('POST', '/api/clients', { name: d.name, email: emailOf(d), phone: phoneOf(i, d), kind: d.kind }),
      201,
    );
    clients.set(emailOf(d), String(c.json.id));
    newClients++;
  }
  for (const d of DEMO_DEBTORS.filter((x) => x.vulnerable)) {
    expectOk(
      `flag ${d.name} vulnerable`,
      await api('PATCH', `/api/clients/${clients.get(emailOf(d))}`, { vulnerable: true, vulnerability_note: d.vulnerable }),
      200,
    );
  }

  // 3. Invoices, found by reference.
  const invoices = new Map<string, Record<string, unknown>>();
  for (let cursor: string | null | undefined = undefined; ;) {
    const page = expectOk(
      'list invoices',
      await api('GET', `/api/invoices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      200,
    );
    for (const inv of page.json.data ?? []) invoices.set(String(inv.invoice_reference), inv);
    cursor = page.json.next_cursor;
    if (!cursor) break;
  }
  let newInvoices = 0;
  for (const d of DEMO_DEBTORS) {
    if (invoices.has(d.ref)) continue;
    const due = now - d.overdueDays * DAY;
    const inv = expectOk(
      `create invoice ${d.ref}`,
      await api('POST', '/api/invoices', {
        client_id: clients.get(emailOf(d)),
        invoice_reference: d.ref,
        amount: d.amount,
        currency: 'GBP',
        issue_date: isoDay(due - 30 * DAY),
        due_date: isoDay(due),
        description: `Demo invoice for ${d.name}`,
      }),
      201,
    );
    invoices.set(d.ref, inv.json);
    newInvoices++;
  }
  const idOf = (d: DemoDebtor) => String(invoices.get(d.ref)?.id);

  // 4. Each invoice brought to its state, unless it is there already.
  for (const d of DEMO_DEBTORS) {
    const inv = invoices.get(d.ref) ?? {};
    const paid = Number(inv.amount_paid ?? 0);
    if (d.state === 'paid' && paid === 0) {
      expectOk(
        `pay ${d.ref}`,
        await api('POST', `/api/invoices/${idOf(d)}/payments`, { amount: d.amount, reference: `${d.ref}-BACS` }),
        201,
        200,
      );
    }
    if (d.state === 'partially_paid' && paid === 0) {
      expectOk(
        `part-pay ${d.ref}`,
        await api('POST', `/api/invoices/${idOf(d)}/payments`, { amount: Math.round(d.amount * 0.4), reference: `${d.ref}-PART` }),
        201,
        200,
      );
    }
    if (d.state === 'disputed' && inv.status !== 'disputed') {
      expectOk(
        `dispute ${d.ref}`,
        await api('POST', `/api/invoices/${idOf(d)}/dispute`, {
          action: 'open',
          reason: 'The work was not finished: two rooms were never painted.',
        }),
        200,
        201,
      );
    }
    if (d.state === 'plan') {
      const plan = await api('POST', '/api/payment-plans', {
        invoice_id: idOf(d),
        frequency: 'monthly',
        first_payment_date: isoDay(now + 7 * DAY),
        installment_count: 6,
        source: 'demo',
      });
      // 409: the invoice already has its plan (a second run).
      expectOk(`plan for ${d.ref}`, plan, 200, 201, 409);
    }
  }

  // 5. What each invoice has been sent or called about already (a second run starts nothing twice).
  const contacted = async (d: DemoDebtor, channel: string) => {
    const t = expectOk(`timeline ${d.ref}`, await api('GET', `/api/invoices/${idOf(d)}/timeline`), 200);
    return ((t.json.events as Array<{ type: string; channel: string | null }>) ?? []).some(
      (e) => e.channel === channel && e.type === 'contact_queued',
    );
  };

  // 6. The IVR campaign, answered by the sandbox phone.
  const toCall: DemoDebtor[] = [];
  let alreadyCalled = 0;
  for (const d of DEMO_DEBTORS.filter((x) => x.contact && 'ivr' in x.contact)) {
    if (await contacted(d, 'ivr_call')) alreadyCalled++;
    else toCall.push(d);
  }
  const campaign = { queued: 0, scheduled: 0, refused: 0, alreadyCalled, inbound: 0 };
  if (toCall.length > 0) {
    const batch = expectOk(
      'start the IVR campaign',
      await request(o.ivrUrl, 'POST', '/api/calls/batch', apiKey, {
        campaign_id: 'demo-campaign',
        calls: toCall.map((d) => ({ client_id: clients.get(emailOf(d)), invoice_id: idOf(d) })),
      }),
      200,
    );
    Object.assign(campaign, { queued: batch.json.queued, scheduled: batch.json.scheduled, refused: batch.json.refused });
    for (const r of (batch.json.results as Array<{ outcome: string; reasons?: Array<{ message: string }> }>) ?? []) {
      if (r.outcome === 'refused') log(`  a call was refused: ${(r.reasons ?? []).map((x) => x.message).join('; ')}`);
    }
  }

  // 6b. A debtor who calls back: an inbound IVR call placed by the sandbox phone (identity first, then the offer).
  const caller = DEMO_DEBTORS.find((d) => d.ref === 'DEMO-1006');
  const callerId = caller ? clients.get(emailOf(caller)) : undefined;
  if (caller && callerId) {
    const calls = await request(o.ivrUrl, 'GET', '/api/calls?page_size=100', apiKey);
    const inboundBefore = ((calls.json as { data?: Array<{ campaign_id: string | null; customer_name: string | null }> }).data ?? []).some(
      (c) => c.campaign_id === 'inbound' && c.customer_name === caller.name,
    );
    if (!inboundBefore) {
      const res = await request(o.ivrUrl, 'POST', '/api/sandbox/inbound-calls', apiKey, { client_id: callerId, script: 'accept' });
      if (res.status === 202) campaign.inbound = 1;
      else log(`  the inbound demo call was not placed (${res.status}): ${JSON.stringify(res.json).slice(0, 200)}`);
    }
  }

  // 7. The reminder run: an escalation per invoice, by the channel its debtor is reached on.
  const reminders = { queued: 0, alreadySent: 0 };
  for (const d of DEMO_DEBTORS) {
    if (!d.contact || !('reminder' in d.contact)) continue;
    const channel = d.contact.reminder;
    if (await contacted(d, channel)) {
      reminders.alreadySent++;
      continue;
    }
    expectOk(
      `reminder ${channel} for ${d.ref}`,
      await api(
        'POST',
        '/api/collections/escalate',
        { invoice_id: idOf(d), action: channel },
        { 'idempotency-key': `demo-${d.ref}-${channel}` },
      ),
      202,
    );
    reminders.queued++;
  }

  return { tenantId, apiKey, created: { tenant: createdTenant, clients: newClients, invoices: newInvoices }, campaign, reminders };
}
