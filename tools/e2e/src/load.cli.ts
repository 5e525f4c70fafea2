// `npm run load -- [seconds] [scale]`: a sustained open-loop mix against the gateway and the notifier at
// the rates their issues name — 500 invoice reads/s, 10 invoice creations/s and 200 email
// escalations/s (each one message through the notifier) — on a stack of its own (throw-away
// database and queue prefix, sandbox providers). Prints p50/p99/max and errors per stream, and the
// notifier's enqueue-to-sent latency measured from the database.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { ServiceStack, newStackSecrets } from './stack';

const log = (line: string) => process.stdout.write(`[load] ${line}\n`);
const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);

interface StreamStats {
  name: string;
  rate: number;
  latencies: number[];
  statuses: Map<number | string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Fires `rate` requests per second regardless of how fast answers come back (open loop). */
function openLoop(stats: StreamStats, seconds: number, fire: (i: number) => Promise<Response>): Promise<void> {
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(stats.rate * seconds);
  let sent = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * stats.rate));
      while (sent < due) {
        const i = sent++;
        const t0 = performance.now();
        inFlight.push(
          fire(i)
            .then(async (res) => {
              await res.arrayBuffer();
              stats.latencies.push(performance.now() - t0);
              stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
            })
            .catch((err: unknown) => {
              const cause = (err as { cause?: { code?: string } }).cause;
              const key = `${(err as Error).name}${cause?.code ? `:${cause.code}` : ''}`;
              stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
            }),
        );
      }
      if (sent < total) setTimeout(tick, 5);
      else void Promise.all(inFlight).then(() => resolve());
    };
    tick();
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 300);
  /** Fraction of the issues' rates (1 = 500 reads/s + 10 creations/s + 200 escalations/s). */
  const scale = Number(process.argv[3] ?? 1);
  const database = await createTestDatabase();
  const secrets = newStackSecrets();
  const stack = await ServiceStack.start({
    databaseUrl: database.url,
    redisUrl: testRedisUrl(),
    queuePrefix: testQueuePrefix(),
    secrets,
    services: ['collections-api', 'prediction', 'notifier'],
    env: { LOG_LEVEL: 'warn', TWILIO_MODE: 'sandbox', SENDGRID_MODE: 'sandbox', STRIPE_MODE: 'sandbox' },
  });
  try {
    const base = stack.url('collections-api');
    const json = (key: string, method: string, body?: unknown, extra: Record<string, string> = {}) => ({
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // A lender on the pro tier whose operator raised its limits for the test, contact rules relaxed so
    // every escalation is sent now (the rules themselves are not what this measures).
    const created = (await (
      await fetch(
        `${base}/api/admin/tenants`,
        json(secrets.adminApiKey, 'POST', {
          name: 'Load Ltd',
          tier: 'pro',
          compliance_overrides: { contactHours: { enabled: false }, frequency: { enabled: false }, recentConversation: { enabled: false } },
        }),
      )
    ).json()) as { tenant: { id: string }; api_key: { key: string } };
    const key = created.api_key.key;
    const big = 100_000_000;
    await fetch(
      `${base}/api/admin/tenants/${created.tenant.id}`,
      json(secrets.adminApiKey, 'PATCH', {
        limit_overrides: {
          hourly: { emails: big, api_calls: big },
          daily: { emails: big, total_cost_pence: big },
          monthly: { emails: big, collections: big },
        },
      }),
    );
    const clients: string[] = [];
    const invoices: string[] = [];
    for (let i = 0; i < 50; i++) {
      const c = (await (
        await fetch(
          `${base}/api/clients`,
          json(key, 'POST', { name: `Debtor ${i}`, email: `d${i}@load.example`, phone: '+447911123456', kind: 'business' }),
        )
      ).json()) as { id: string };
      clients.push(c.id);
      const inv = (await (
        await fetch(
          `${base}/api/invoices`,
          json(key, 'POST', { client_id: c.id, invoice_reference: `L-${i}`, amount: 250, issue_date: day(40), due_date: day(10) }),
        )
      ).json()) as { id: string };
      invoices.push(inv.id);
    }
    const streams: StreamStats[] = [
      { name: 'GET /api/invoices/{id}', rate: 500 * scale, latencies: [], statuses: new Map() },
      { name: 'POST /api/invoices', rate: 10 * scale, latencies: [], statuses: new Map() },
      { name: 'POST /api/collections/escalate (email)', rate: 200 * scale, latencies: [], statuses: new Map() },
    ];
    const [reads, creates, escalations] = streams as [StreamStats, StreamStats, StreamStats];
    const runId = randomUUID().slice(0, 6);
    log(`${seconds} s: ${reads.rate} reads/s, ${creates.rate} creations/s, ${escalations.rate} escalations/s`);
    const started = new Date();
    await Promise.all([
      openLoop(reads, seconds, (i) =>
        fetch(`${base}/api/invoices/${invoices[i % invoices.length]}`, { headers: { authorization: `Bearer ${key}` } }),
      ),
      openLoop(creates, seconds, (i) =>
        fetch(
          `${base}/api/invoices`,
          json(key, 'POST', {
            client_id: clients[i % clients.length],
            invoice_reference: `N-${runId}-${i}`,
            amount: 99.5,
            issue_date: day(30),
            due_date: day(5),
          }),
        ),
      ),
      openLoop(escalations, seconds, (i) =>
        fetch(
          `${base}/api/collections/escalate`,
          json(
            key,
            'POST',
            { invoice_id: invoices[i % invoices.length], action: 'email', stage: 'friendly_reminder' },
            { 'idempotency-key': `load-${runId}-${i}` },
          ),
        ),
      ),
    ]);
    // Let the notifier finish what was queued, then read enqueue-to-sent from the rows.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const drainDeadline = Date.now() + 120_000;
    while (Date.now() < drainDeadline) {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM contact_attempts WHERE status = 'queued' AND created_at >= $1`,
        [started],
      );
      if (Number(rows[0]?.n) === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const { rows } = await db.query<{ ms: number; status: string }>(
      `SELECT extract(epoch FROM (sent_at - created_at)) * 1000 AS ms, status::text FROM contact_attempts WHERE created_at >= $1 AND channel = 'email'`,
      [started],
    );
    await db.end();
    const sentMs = rows
      .filter((r) => r.ms !== null)
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const byStatus = rows.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {});

    process.stdout.write(`\n| stream | rate | requests | p50 | p99 | max | answers |\n|---|---|---|---|---|---|---|\n`);
    for (const s of streams) {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      const answers = [...s.statuses.entries()].map(([k, v]) => `${k}: ${v}`).join(', ');
      process.stdout.write(
        `| ${s.name} | ${s.rate}/s | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} ms | ${percentile(sorted, 99).toFixed(1)} ms | ${(sorted.at(-1) ?? NaN).toFixed(1)} ms | ${answers} |\n`,
      );
    }
    process.stdout.write(
      `| notifier: escalation → email sent | ${escalations.rate}/s | ${sentMs.length} | ${percentile(sentMs, 50).toFixed(1)} ms | ${percentile(sentMs, 99).toFixed(1)} ms | ${(sentMs.at(-1) ?? NaN).toFixed(1)} ms | ${JSON.stringify(byStatus)} |\n`,
    );
    const errors = streams.reduce(
      (n, s) => n + [...s.statuses.entries()].filter(([k]) => typeof k !== 'number' || k >= 500).reduce((m, [, v]) => m + v, 0),
      0,
    );
    process.stdout.write(`\nerrors (5xx or no answer): ${errors}\n`);
    const unhandled = stack
      .output('collections-api')
      .split('\n')
      .filter((l) => l.includes('unhandled error'));
    if (unhandled.length)
      process.stdout.write(`collections-api logged ${unhandled.length} unhandled errors; first: ${unhandled[0]?.slice(0, 600)}\n`);
  } finally {
    await stack.stop();
    await database.drop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`load: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
