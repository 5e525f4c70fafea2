// `npm run faults`: the platform on a PostgreSQL and a Redis of its own (so the machine's shared
// servers are never touched), under a steady stream of reminder emails and Stripe payments, through
// three faults in turn: kill -9 of the notifier mid-batch (then restart), a Redis restart, and
// PostgreSQL stopped for 10 s. After each, every message and payment is counted at the fake
// providers and in the API: zero lost, zero duplicated, zero rows that contradict the provider, every service
// healthy again.
import { randomUUID } from 'node:crypto';
import { customArgsOf } from '@recoup/testing';
import { Client } from 'pg';
import { migrateDatabase } from '@recoup/db';
import { DisposablePostgres } from './disposable-postgres';
import { FakeProviders } from './fake-providers';
import { PersistentRedis } from './persistent-redis';
import { ServiceStack, newStackSecrets, type ServiceName } from './stack';
import { stripeSignatureHeader } from './story';

interface Sent {
  jobId: string;
  invoiceId: string;
}

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);

/** A client that retries like a real one: same Idempotency-Key, backoff, until it gets a non-5xx answer. */
async function call(
  url: string,
  init: { method: string; key: string; body?: unknown; idempotencyKey?: string; headers?: Record<string, string>; raw?: string },
  deadlineMs = 60_000,
) {
  const deadline = Date.now() + deadlineMs;
  let wait = 100;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: {
          authorization: `Bearer ${init.key}`,
          'content-type': 'application/json',
          ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
          ...init.headers,
        },
        body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
        signal: AbortSignal.timeout(10_000),
      });
      // 409 idempotency-key-in-use: the first attempt still holds the key (its lease outlives a crash
      // for a few seconds); a real client retries after Retry-After, as for 429 and 5xx.
      const inUse =
        res.status === 409 && (res.headers.get('content-type') ?? '').includes('problem') && res.headers.get('retry-after') !== null;
      if (res.status < 500 && res.status !== 429 && !inUse)
        return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    } catch {
      // connection refused or reset while a service or a backing server is down
    }
    if (Date.now() > deadline) throw new Error(`${init.method} ${url}: no non-5xx answer within ${deadlineMs} ms`);
    await sleep(wait);
    wait = Math.min(wait * 2, 2_000);
  }
}

async function main(): Promise<void> {
  const perPhase = Number(process.argv[2] ?? 40);
  const pg = await DisposablePostgres.start();
  const redis = await PersistentRedis.start();
  const secrets = newStackSecrets();
  const fakes = await FakeProviders.start({
    twilioAuthToken: secrets.twilioAuthToken,
    scriptFor: () => ({ answer: 'no-answer', turns: [] }),
  });
  let stack: ServiceStack | undefined;
  const results: Array<{
    fault: string;
    messages: number;
    delivered: number;
    cancelled: number;
    contradicting: number;
    lost: number;
    duplicated: number;
    payments: number;
    paymentDuplicates: number;
    paymentsLost: number;
    recoverySeconds: number;
  }> = [];
  try {
    const databaseUrl = pg.url('recoup');
    await migrateDatabase(databaseUrl);
    const services: ServiceName[] = ['collections-api', 'prediction', 'notifier'];
    stack = await ServiceStack.start({ databaseUrl, redisUrl: redis.url, queuePrefix: 'faults', env: fakes.env(), secrets, services });
    const api = (path: string) => `${stack?.url('collections-api')}${path}`;

    const tenant = await call(api('/api/admin/tenants'), {
      method: 'POST',
      key: secrets.adminApiKey,
      body: { name: 'Fault Tolerance Ltd', tier: 'pro', compliance_overrides: { contactHours: { enabled: false } } },
    });
    const tenantId = (tenant.body.tenant as { id: string }).id;
    const key = (tenant.body.api_key as { key: string }).key;
    await call(api(`/api/admin/tenants/${tenantId}`), {
      method: 'PATCH',
      key: secrets.adminApiKey,
      body: {
        limit_overrides: {
          hourly: { emails: 100_000, api_calls: 100_000 },
          daily: { emails: 100_000, total_cost_pence: 10_000_000 },
          monthly: { emails: 1_000_000 },
        },
      },
    });

    const only = process.env.FAULT;
    const allFaults: Array<{ name: string; inject: () => Promise<void> }> = [
      { name: 'kill -9 notifier mid-batch, restart', inject: async () => stack?.restart('notifier') },
      {
        name: 'restart Redis',
        inject: async () => {
          await redis.stopServer();
          await sleep(2_000);
          await redis.startServer();
        },
      },
      {
        name: 'stop PostgreSQL for 10 s',
        inject: async () => {
          pg.stopServer();
          await sleep(10_000);
          pg.startServer();
        },
      },
    ];
    const faults = allFaults.filter((f) => !only || f.name.includes(only));

    for (const fault of faults) {
      const sent: Sent[] = [];
      const paid: string[] = [];
      // Debtors and invoices first (the stream below is what the fault interrupts).
      const invoices: string[] = [];
      for (let i = 0; i < perPhase; i++) {
        const client = await call(api('/api/clients'), {
          method: 'POST',
          key,
          body: {
            name: `Debtor ${i}`,
            email: `debtor${i}.${randomUUID().slice(0, 6)}@faults.example`,
            phone: '+447911123456',
            kind: 'business',
          },
        });
        const invoice = await call(api('/api/invoices'), {
          method: 'POST',
          key,
          body: {
            client_id: client.body.id,
            invoice_reference: `F-${randomUUID().slice(0, 8)}`,
            amount: 120,
            issue_date: day(40),
            due_date: day(10),
          },
        });
        invoices.push(invoice.body.id as string);
      }
      log(`${fault.name}: ${perPhase} reminder emails and ${perPhase / 4} payments, fault injected mid-stream`);
      const stream = (async () => {
        for (const [i, invoiceId] of invoices.entries()) {
          const res = await call(
            api('/api/collections/escalate'),
            {
              method: 'POST',
              key,
              idempotencyKey: `fault-${invoiceId}`,
              body: { invoice_id: invoiceId, action: 'email', stage: 'friendly_reminder' },
            },
            120_000,
          );
          if (res.status === 202) sent.push({ jobId: res.body.job_id as string, invoiceId });
          else log(`escalate answered ${res.status}: ${JSON.stringify(res.body)}`);
          if (i % 4 === 3) {
            const event = JSON.stringify({
              id: `evt_${randomUUID()}`,
              object: 'event',
              type: 'payment_intent.succeeded',
              created: Math.floor(Date.now() / 1000),
              data: {
                object: {
                  id: `pi_${randomUUID().replace(/-/g, '')}`,
                  object: 'payment_intent',
                  amount: 5_000,
                  amount_received: 5_000,
                  currency: 'gbp',
                  status: 'succeeded',
                  metadata: { invoice_id: invoiceId, tenant_id: tenantId },
                },
              },
            });
            // Stripe delivers at least once: twice here, the second after the fault may have hit.
            for (let k = 0; k < 2; k++)
              await call(
                api('/api/payments/stripe'),
                {
                  method: 'POST',
                  key: '',
                  raw: event,
                  headers: { 'stripe-signature': stripeSignatureHeader(event, secrets.stripeWebhookSecret) },
                },
                120_000,
              );
            paid.push(invoiceId);
          }
          await sleep(25);
        }
      })();
      await sleep(300);
      const started = Date.now();
      await fault.inject();
      await stream;
      // Recovery: every service healthy, every message delivered (or the deadline passes).
      for (const name of services) await call(`${stack.url(name)}/health`, { method: 'GET', key: '' }, 120_000);
      const jobIds = new Set(sent.map((s) => s.jobId));
      const db = new Client({ connectionString: pg.url('recoup') });
      await db.connect();
      const statuses = async () =>
        (
          await db.query<{ job_id: string; status: string; failure_reason: string | null }>(
            'SELECT job_id, status::text, failure_reason FROM contact_attempts WHERE job_id = ANY($1)',
            [[...jobIds]],
          )
        ).rows;
      // Settled: no attempt still queued or being sent (a reminder for an invoice paid meanwhile is rightly
      // cancelled, not sent).
      const deadline = Date.now() + 120_000;
      const unsettled = (r: { status: string }) => r.status === 'queued' || r.status === 'sending';
      let rows = await statuses();
      while (Date.now() < deadline && (rows.length < jobIds.size || rows.some(unsettled))) {
        await sleep(250);
        rows = await statuses();
      }
      await db.end();
      const recoverySeconds = (Date.now() - started) / 1000;
      const atProvider = fakes.sendgrid.requests.map((r) => String(customArgsOf(r.body).recoup_message_id)).filter((id) => jobIds.has(id));
      const distinctAtProvider = new Set(atProvider);
      const NOT_SENT = new Set(['cancelled', 'blocked', 'failed']);
      const cancelled = rows.filter((r) => r.status === 'cancelled' && !distinctAtProvider.has(r.job_id)).length;
      // Rows that contradict the provider: the fake SendGrid holds the message, but the row says it was not
      // sent (e.g. a payment cancelled it while the notifier was sending). The claim (`sending`) before the
      // provider call makes this 0; any other count fails the run.
      const contradictingRows = rows.filter((r) => NOT_SENT.has(r.status) && distinctAtProvider.has(r.job_id));
      if (contradictingRows.length) log(`rows that contradict the provider: ${JSON.stringify(contradictingRows.slice(0, 10))}`);
      const shouldHaveSent = rows.filter((r) => r.status !== 'cancelled' && r.status !== 'blocked');
      const lostRows = shouldHaveSent.filter((r) => !distinctAtProvider.has(r.job_id));
      if (lostRows.length) log(`undelivered: ${JSON.stringify(lostRows.slice(0, 10))}`);
      const distinct = distinctAtProvider.size;
      let payments = 0;
      let paymentDuplicates = 0;
      for (const invoiceId of paid) {
        const timeline = await call(api(`/api/invoices/${invoiceId}/timeline`), { method: 'GET', key });
        const n = ((timeline.body.events as Array<{ type: string }>) ?? []).filter((e) => e.type === 'payment').length;
        payments += Math.min(n, 1);
        paymentDuplicates += Math.max(n - 1, 0);
      }
      const row = {
        fault: fault.name,
        messages: jobIds.size,
        delivered: distinct,
        cancelled,
        contradicting: contradictingRows.length,
        lost: lostRows.length + (jobIds.size - rows.length),
        duplicated: atProvider.length - distinct,
        payments,
        paymentDuplicates,
        paymentsLost: paid.length - payments,
        recoverySeconds,
      };
      results.push(row);
      log(JSON.stringify(row));
    }
  } catch (err) {
    // What the gateway said while it failed is what explains a failed run.
    if (stack) process.stderr.write(`--- collections-api log (tail) ---\n${stack.output('collections-api').slice(-6000)}\n`);
    throw err;
  } finally {
    const unclean = (await stack?.stop()) ?? [];
    if (unclean.length) log(`did not stop cleanly: ${unclean.join(', ')}`);
    await fakes.stop();
    await redis.destroy();
    pg.destroy();
  }
  process.stdout.write(
    '\n| fault | reminders queued | sent (at fake SendGrid) | not sent: invoice paid first | sent, row says not sent | lost | duplicated | payments | lost | duplicated | settled in |\n|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of results)
    process.stdout.write(
      `| ${r.fault} | ${r.messages} | ${r.delivered} | ${r.cancelled} | ${r.contradicting} | ${r.lost} | ${r.duplicated} | ${r.payments} | ${r.paymentsLost} | ${r.paymentDuplicates} | ${r.recoverySeconds.toFixed(1)} s |\n`,
    );
  const bad = results.some((r) => r.lost || r.duplicated || r.contradicting || r.paymentDuplicates || r.paymentsLost);
  process.exit(bad ? 1 : 0);
}

void main().catch((err: unknown) => {
  process.stderr.write(`faults: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
