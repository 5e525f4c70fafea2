import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createCollectionsApiClient } from '@recoup/client';

/**
 * The collections story a user meets, through the public HTTP APIs only: a growth-tier tenant,
 * a debtor, an invoice 10 days overdue, the strategy, a reminder email, an SMS, an AI call in which
 * the debtor promises to pay and gets the payment link by SMS, a signed Stripe webhook sent twice,
 * and every pending collection job cancelled. `npm run demo` and the e2e test both run it.
 */
export interface StoryOptions {
  collectionsUrl: string;
  adminApiKey: string;
  stripeWebhookSecret: string;
  /** The debtor's phone: the sandbox phone network (or the test's fake) answers it with a promise to pay. */
  debtorPhone?: string;
  /** The postcode on the debtor's record, which the AI agent asks for before it says why it calls (CONC 7.9.7R). */
  debtorPostcode?: string;
  log?: (line: string) => void;
  /** How long each asynchronous step may take. */
  stepTimeoutMs?: number;
  /** METRICS_TOKEN, when the stack protects /metrics with one. */
  metricsToken?: string;
}

export interface TimelineEvent {
  at: string;
  type: string;
  channel: string | null;
  status: string | null;
  detail: Record<string, unknown>;
}

export interface StoryResult {
  tenantId: string;
  apiKey: string;
  clientId: string;
  invoiceId: string;
  timeline: TimelineEvent[];
  /** Each check the story made, with whether it held. */
  checks: Array<{ step: string; ok: boolean; detail: string }>;
}

export class StoryFailure extends Error {
  constructor(
    message: string,
    readonly result: Partial<StoryResult>,
  ) {
    super(message);
  }
}

/** The postcode the story's debtor has on file (and says when the AI agent asks who is speaking). */
export const STORY_DEBTOR_POSTCODE = 'SW1A 1AA';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Stripe's signature scheme (`t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")`), as its SDK verifies it. */
export function stripeSignatureHeader(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

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

export async function runCollectionsStory(options: StoryOptions): Promise<StoryResult> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.stepTimeoutMs ?? 60_000;
  const base = options.collectionsUrl.replace(/\/+$/, '');
  const result: Partial<StoryResult> & { checks: StoryResult['checks'] } = { checks: [] };
  const check = (step: string, ok: boolean, detail: string) => {
    result.checks.push({ step, ok, detail });
    log(`${ok ? 'ok  ' : 'FAIL'} ${step}: ${detail}`);
    if (!ok) throw new StoryFailure(`${step}: ${detail}`, result);
  };

  // The typed client generated from the gateway's OpenAPI document (libs/client), as a frontend would call it.
  const admin = createCollectionsApiClient({ baseUrl: base, token: options.adminApiKey });
  /** The answer's body when its status is one of `allowed`; a StoryFailure naming the problem otherwise. */
  const expectStatus = <T>(what: string, r: { data?: T; error?: unknown; response: Response }, ...allowed: number[]): T => {
    if (!allowed.includes(r.response.status) || r.data === undefined)
      throw new StoryFailure(`${what}: HTTP ${r.response.status} ${JSON.stringify(r.error ?? r.data).slice(0, 500)}`, result);
    return r.data;
  };

  // 1. The operator creates a growth-tier tenant. Its contact window is widened to every day so the
  // story runs at any hour; the compliance audit marks those decisions with the override version.
  const suffix = randomBytes(3).toString('hex');
  const tenant = expectStatus(
    'create tenant',
    await admin.POST('/api/admin/tenants', {
      body: {
        name: `Northwind Design ${suffix}`,
        tier: 'growth',
        email: `accounts+${suffix}@northwind.example`,
        compliance_overrides: { contactHours: { enabled: false } },
      },
    }),
    201,
  );
  const apiKey = tenant.api_key.key;
  result.tenantId = tenant.tenant.id;
  result.apiKey = apiKey;
  const api = createCollectionsApiClient({ baseUrl: base, token: apiKey });
  log(`tenant ${result.tenantId} (growth)`);

  // 2. A debtor and an invoice 10 days overdue.
  const client = expectStatus(
    'create client',
    await api.POST('/api/clients', {
      body: {
        name: 'Jo Bloggs Trading Ltd',
        email: `jo+${suffix}@bloggs.example`,
        phone: options.debtorPhone ?? '+447911123456',
        postcode: options.debtorPostcode ?? STORY_DEBTOR_POSTCODE,
        kind: 'business',
      },
    }),
    201,
  );
  result.clientId = client.id;
  const now = Date.now();
  const invoice = expectStatus(
    'create invoice',
    await api.POST('/api/invoices', {
      body: {
        client_id: client.id,
        invoice_reference: `INV-${suffix.toUpperCase()}`,
        amount: 500.0,
        currency: 'GBP',
        issue_date: isoDay(now - 40 * DAY),
        due_date: isoDay(now - 10 * DAY),
      },
    }),
    201,
  );
  const invoiceId = invoice.id;
  result.invoiceId = invoiceId;
  check(
    'invoice 10 days overdue',
    invoice.days_overdue === 10 && invoice.balance === 500,
    `days_overdue=${String(invoice.days_overdue)} balance=${String(invoice.balance)}`,
  );
  const byId = { params: { path: { invoice_id: invoiceId } } };

  const timeline = async () =>
    expectStatus('timeline', await api.GET('/api/invoices/{invoice_id}/timeline', byId), 200).events as TimelineEvent[];
  const attempts = (events: TimelineEvent[], channel: string, purpose?: string) =>
    events.filter((e) => e.type === 'contact_queued' && e.channel === channel && (purpose === undefined || e.detail.purpose === purpose));
  const SENT = ['sent', 'delivered', 'opened', 'clicked', 'replied'];

  // 3. The strategy comes from the prediction service.
  const strategy = expectStatus('strategy', await api.GET('/api/collections/strategy/{invoice_id}', byId), 200);
  check(
    'strategy from the prediction model',
    strategy.source === 'model',
    `source=${String(strategy.source)} probability=${String(strategy.probability)} band=${String(strategy.band)} next=${String(strategy.recommended_action)} via ${String(strategy.channel)}`,
  );

  type Escalation = { action: 'email' | 'sms' | 'ai_call'; stage?: 'friendly_reminder' | 'gentle_reminder' | 'standard_escalation' };
  const escalate = async (action: Escalation['action'], stage?: Escalation['stage']) => {
    const key = randomUUID();
    const request = {
      body: { invoice_id: invoiceId, action, ...(stage ? { stage } : {}) },
      params: { header: { 'Idempotency-Key': key } },
    };
    const first = expectStatus(`escalate ${action}`, await api.POST('/api/collections/escalate', request), 202);
    // A client retrying with the same key gets the same job, not a second message.
    const replay = await api.POST('/api/collections/escalate', request);
    check(
      `escalate ${action} is idempotent`,
      replay.response.status === 202 && replay.data?.job_id === first.job_id,
      `job ${String(first.job_id)} (replay: ${replay.response.status} ${String(replay.data?.job_id)})`,
    );
    return first as { job_id: string; contact_attempt_id: string; scheduled_for: string };
  };
  const waitSent = (what: string, channel: string, attemptId: string) =>
    poll(what, timeoutMs, async () => {
      const events = await timeline();
      const attempt = attempts(events, channel).find((e) => e.detail.contact_attempt_id === attemptId);
      if (attempt && ['failed', 'bounced', 'blocked', 'cancelled'].includes(attempt.status ?? ''))
        throw new StoryFailure(`${what}: attempt ended ${attempt.status} (${String(attempt.detail.failure_reason)})`, result);
      return attempt && SENT.includes(attempt.status ?? '') ? attempt : undefined;
    });

  // 4. Reminder email, then SMS, through the notifier.
  const email = await escalate('email', 'friendly_reminder');
  const sentEmail = await waitSent('the reminder email', 'email', email.contact_attempt_id);
  check('reminder email sent', true, `${sentEmail.status} (${String(sentEmail.detail.template_id)})`);
  const sms = await escalate('sms', 'gentle_reminder');
  const sentSms = await waitSent('the reminder SMS', 'sms', sms.contact_attempt_id);
  check('reminder SMS sent', true, `${sentSms.status} (${String(sentSms.detail.template_id)})`);

  // 5. The AI call: the debtor promises to pay and asks for the link, which arrives by SMS.
  const aiCall = await escalate('ai_call');
  const callAttempt = await poll('the AI call to finish', timeoutMs * 2, async () => {
    const a = attempts(await timeline(), 'ai_call').find((e) => e.detail.contact_attempt_id === aiCall.contact_attempt_id);
    return a && ['completed', 'answered', 'failed', 'no_answer', 'busy', 'machine', 'blocked', 'cancelled'].includes(a.status ?? '')
      ? a
      : undefined;
  });
  check('AI call completed', callAttempt.status === 'completed' || callAttempt.status === 'answered', `status=${callAttempt.status}`);
  const linkSms = await poll('the payment-link SMS', timeoutMs, async () => {
    const links = attempts(await timeline(), 'sms', 'payment_link');
    return links.some((l) => SENT.includes(l.status ?? '')) ? links : undefined;
  });
  check('payment link SMS sent once', linkSms.length === 1, `${linkSms.length} payment-link SMS`);

  // 6. A further reminder now waits (the debtor has just spoken to us): a pending collection job.
  const pending = await escalate('email', 'standard_escalation');
  const pendingEvent = attempts(await timeline(), 'email').find((e) => e.detail.contact_attempt_id === pending.contact_attempt_id);
  check(
    'a further reminder is pending',
    pendingEvent?.status === 'queued',
    `status=${String(pendingEvent?.status)} scheduled_for=${pending.scheduled_for}`,
  );

  // 7. Stripe reports the payment (the signed webhook, delivered twice as Stripe may).
  const link = expectStatus('payment link', await api.POST('/api/invoices/{invoice_id}/payment-link', byId), 200, 201);
  const sessionId = link.url.match(/cs_[A-Za-z0-9_]+/)?.[0] ?? `cs_demo_${suffix}`;
  const event = {
    id: `evt_demo_${suffix}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor(Date.now() / 1000),
    type: 'checkout.session.completed',
    livemode: false,
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        amount_total: 500_00,
        currency: 'gbp',
        payment_status: 'paid',
        status: 'complete',
        payment_intent: `pi_demo_${suffix}`,
        metadata: { invoice_id: invoiceId, tenant_id: result.tenantId },
      },
    },
  };
  const payload = JSON.stringify(event);
  const deliveries = [];
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${base}/api/payments/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripeSignatureHeader(payload, options.stripeWebhookSecret) },
      body: payload,
    });
    deliveries.push({
      status: res.status,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
    });
  }
  // The second delivery is answered from the idempotency record (a replay) or seen as a duplicate event.
  const second = deliveries[1];
  check(
    'Stripe webhook accepted twice, applied once',
    deliveries.every((d) => d.status === 200) &&
      deliveries[0]?.body.result === 'processed' &&
      !!second &&
      (second.replayed || second.body.result === 'duplicate'),
    deliveries.map((d) => `${d.status} ${String(d.body.result)}${d.replayed ? ' (replayed)' : ''}`).join(', '),
  );

  const paid = expectStatus('invoice', await api.GET('/api/invoices/{invoice_id}', byId), 200);
  check('invoice paid', paid.status === 'paid' && paid.balance === 0, `status=${String(paid.status)} balance=${String(paid.balance)}`);

  // 8. Nothing is left to send.
  const final = await poll('pending jobs to be cancelled', timeoutMs, async () => {
    const events = await timeline();
    return events.some((e) => e.type === 'contact_queued' && e.status === 'queued') ? undefined : events;
  });
  const cancelled = final.filter((e) => e.type === 'contact_queued' && e.status === 'cancelled');
  check(
    'every pending collection job cancelled',
    cancelled.some((e) => e.detail.contact_attempt_id === pending.contact_attempt_id),
    `${cancelled.length} cancelled, 0 queued`,
  );
  const payments = final.filter((e) => e.type === 'payment');
  check('one payment recorded', payments.length === 1, `${payments.length} payment(s)`);
  const sentCount = (channel: string, purpose?: string) =>
    attempts(final, channel, purpose).filter((e) => SENT.includes(e.status ?? '') || e.status === 'completed').length;
  const counts = {
    email: sentCount('email'),
    reminderSms: sentCount('sms', 'reminder'),
    paymentLinkSms: sentCount('sms', 'payment_link'),
    promiseSms: sentCount('sms', 'promise_to_pay_confirmation'),
    calls: attempts(final, 'ai_call').length,
  };
  check(
    'each message exactly once',
    counts.email === 1 && counts.reminderSms === 1 && counts.paymentLinkSms === 1 && counts.promiseSms <= 1 && counts.calls === 1,
    `email ${counts.email}, reminder SMS ${counts.reminderSms}, payment-link SMS ${counts.paymentLinkSms}, promise confirmation SMS ${counts.promiseSms}, AI calls ${counts.calls}`,
  );

  // 9. The operator's view: the gateway's business metrics count what just happened (totals over every tenant).
  const metrics = await (
    await fetch(`${base}/metrics`, { headers: options.metricsToken ? { authorization: `Bearer ${options.metricsToken}` } : {} })
  ).text();
  const gauge = (name: string, label: string) =>
    [...metrics.matchAll(new RegExp(`^${name}\\{([^}]*)\\} ([0-9.e+]+)$`, 'gm'))]
      .filter((m) => (m[1] ?? '').includes(label))
      .reduce((sum, m) => sum + Number(m[2]), 0);
  const business = {
    emails: gauge('recoup_messages', 'channel="email"'),
    sms: gauge('recoup_messages', 'channel="sms"'),
    allowed: gauge('recoup_compliance_decisions', 'verdict="allowed"'),
    paidPence: gauge('recoup_payments_applied_pence', 'currency="GBP"'),
    aiCalls: gauge('recoup_ai_calls', 'outcome='),
  };
  check(
    'business metrics on /metrics',
    business.emails >= 1 && business.sms >= 2 && business.allowed >= 1 && business.paidPence >= 500_00 && business.aiCalls >= 1,
    `messages email ${business.emails}, sms ${business.sms}; compliance allowed ${business.allowed}; GBP paid ${business.paidPence} pence; AI calls ${business.aiCalls}`,
  );
  result.timeline = final;
  return result as StoryResult;
}

/** The timeline as a table for people. */
export function formatTimeline(events: TimelineEvent[]): string {
  return events
    .map((e) => {
      const what = [e.type, e.channel, e.status].filter(Boolean).join(' · ');
      const extra = ['purpose', 'template_id', 'amount', 'scheduled_for', 'failure_reason']
        .map((k) => (e.detail[k] ? `${k}=${String(e.detail[k])}` : ''))
        .filter(Boolean)
        .join(' ');
      return `  ${e.at}  ${what.padEnd(40)} ${extra}`;
    })
    .join('\n');
}
