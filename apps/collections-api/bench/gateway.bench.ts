/**
 * npm run bench:gateway
 *
 * GET /api/invoices/{id} on collections-api (bearer API key auth, tenant lookup, api_calls rate
 * limit on Redis, one PostgreSQL read, JSON mapping) driven by autocannon, next to a bare
 * Express 5 hello-world measured in the same run the same way. Each server runs as its own
 * process on loopback; autocannon runs in this one. Rounds alternate (bare, gateway, bare, ...)
 * and the medians are reported, so a burst of load from elsewhere hits both sides alike.
 * Goals: p99 < 10 ms at 500 requests/s, and at least 25% of bare Express's requests/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase, freePort, waitFor } from '@recoup/testing';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN = `bench-admin-${'x'.repeat(32)}`;
const ROOT = path.resolve(__dirname, '../../..');

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function ready(url: string): Promise<void> {
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs: 60_000, intervalMs: 200, what: url });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function measure(
  url: string,
  headers: Record<string, string>,
  opts: { connections: number; overallRate?: number },
): Promise<Figures> {
  const r = await autocannon({
    url,
    headers,
    connections: opts.connections,
    duration: DURATION,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
  });
  return { rps: r.requests.total / DURATION, p50: r.latency.p50 ?? NaN, p99: r.latency.p99 ?? NaN, non2xx: r.non2xx + r.errors };
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const [barePort, gatewayPort] = [await freePort(), await freePort()];
  const bare = start(
    ['-e', `const e=require('express');const a=e();a.get('/',(q,s)=>{s.json({hello:'world'})});a.listen(${barePort},'127.0.0.1')`],
    {},
  );
  const gateway = start(['--import', 'tsx', 'apps/collections-api/src/main.ts'], {
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `bench-gw-${process.pid}`,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: ADMIN,
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    COLLECTIONS_SCAN_CRON: 'off',
    STRIPE_MODE: 'sandbox',
    NODE_ENV: 'development',
  });
  const stop = () => {
    bare.kill('SIGTERM');
    gateway.kill('SIGTERM');
  };
  try {
    const bareUrl = `http://127.0.0.1:${barePort}/`;
    const gw = `http://127.0.0.1:${gatewayPort}`;
    await Promise.all([ready(bareUrl), ready(`${gw}/health`)]);

    const post = async (p: string, body: unknown, auth: string) => {
      const res = await fetch(`${gw}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; tenant: { id: string }; api_key: { key: string } };
    };
    const created = await post('/api/admin/tenants', { name: 'Bench Ltd', tier: 'pro' }, ADMIN);
    // The bench measures the limiter's cost, not its refusals: lift this tenant's hourly api_calls.
    await database.db.tenant.update({
      where: { id: created.tenant.id },
      data: { limitOverrides: { hourly: { api_calls: 1_000_000_000 } } },
    });
    const key = created.api_key.key as string;
    const client = await post(
      '/api/clients',
      { name: 'Debtor Ltd', email: 'ap@debtor.example', phone: '+447700900123', kind: 'business' },
      key,
    );
    const invoice = await post(
      '/api/invoices',
      { client_id: client.id, invoice_reference: 'BENCH-1', amount: 1234.56, issue_date: '2026-01-01', due_date: '2026-02-01' },
      key,
    );
    const invoiceUrl = `${gw}/api/invoices/${invoice.id}`;
    const auth = { authorization: `Bearer ${key}` };

    // Warm up both (JIT, connection pools, key and tenant caches).
    await autocannon({ url: bareUrl, connections: 10, amount: 5000 });
    await autocannon({ url: invoiceUrl, headers: auth, connections: 10, amount: 5000 });

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
    const medianOf = (runs: Figures[]): Figures => ({
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    });
    const runs: Record<string, Figures[]> = { bareMax: [], gwMax: [], bare500: [], gw500: [] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.bareMax?.push(await measure(bareUrl, {}, { connections: 10 }));
      runs.gwMax?.push(await measure(invoiceUrl, auth, { connections: 10 }));
    }
    for (let round = 0; round < ROUNDS; round++) {
      runs.bare500?.push(await measure(bareUrl, {}, { connections: 10, overallRate: 500 }));
      runs.gw500?.push(await measure(invoiceUrl, auth, { connections: 10, overallRate: 500 }));
    }
    const bareMax = medianOf(runs.bareMax ?? []);
    const gwMax = medianOf(runs.gwMax ?? []);
    const bare500 = medianOf(runs.bare500 ?? []);
    const gw500 = medianOf(runs.gw500 ?? []);

    const cpu = os.cpus();
    console.log(
      `gateway bench — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model}), load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${process.version}`,
    );
    console.log(
      `autocannon, 10 connections, ${ROUNDS} alternating rounds of ${DURATION} s, medians; loopback; each server its own process\n`,
    );
    const row = (name: string, f: Figures) =>
      console.log(
        `${name.padEnd(44)} ${f.rps.toFixed(0).padStart(7)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   non-2xx/errors ${f.non2xx}`,
      );
    row('bare Express hello-world, max', bareMax);
    row('GET /api/invoices/{id}, max', gwMax);
    row('bare Express hello-world, 500 req/s', bare500);
    row('GET /api/invoices/{id}, 500 req/s', gw500);
    for (const [name, list] of Object.entries(runs))
      console.log(`  ${name}: ${list.map((f) => `${f.rps.toFixed(0)} req/s p99 ${f.p99} ms`).join(' | ')}`);
    const ratio = gwMax.rps / bareMax.rps;
    console.log(`\ngateway / bare throughput: ${(ratio * 100).toFixed(1)}% (goal >= 25%): ${ratio >= 0.25 ? 'met' : 'NOT met'}`);
    console.log(`gateway p99 at 500 req/s: ${gw500.p99} ms (goal < 10 ms): ${gw500.p99 < 10 ? 'met' : 'NOT met'}`);
  } finally {
    stop();
    await database.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
