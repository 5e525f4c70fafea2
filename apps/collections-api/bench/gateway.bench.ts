/**
 * npm run bench:gateway
 *
 * GET /api/invoices/{id} on collections-api (bearer API key auth, tenant lookup, api_calls rate
 * limit on Redis, one PostgreSQL read, JSON mapping) driven by autocannon, next to a bare
 * Express 5 hello-world measured in the same run the same way. Each server runs as its own
 * process on loopback; autocannon runs in this one. Rounds alternate (bare, gateway, bare, ...)
 * and the medians are reported, so a burst of load from elsewhere hits both sides alike.
 * Then POST /api/collections/escalate on fresh invoices, with the gateway process's CPU per
 * escalation read from /proc (its own process only: PostgreSQL and Redis are not counted).
 * Goals (issue 17): at least 40% of bare Express's requests/s; p99 at 500 req/s at most 1.2x bare
 * Express's p99 in the same run; an escalation at most 3 ms of gateway CPU.
 *
 * BENCH_CPU_PROF=<dir> writes the gateway's V8 CPU profile there (node --cpu-prof) on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase, freePort, waitFor } from '@recoup/testing';

const ADMIN = `bench-admin-${'x'.repeat(32)}`;
const ROOT = path.resolve(__dirname, '../../..');
const GOAL = { throughput: 0.4, p99Ratio: 1.2, escalationCpuMs: 3 };

export interface GatewayBenchOptions {
  /** Seconds per measured round (ignored when `requests` is set). */
  durationS: number;
  rounds: number;
  /** A fixed number of requests per round instead of a duration (the CI smoke run). */
  requests?: number;
  /** The paced runs' rate (req/s). */
  rate: number;
  escalations: number;
  log: (line: string) => void;
  cpuProfileDir?: string;
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU of the server's process per request, in microseconds (the database and Redis not counted). */
  cpuUs: number;
}

export interface GatewayBenchResult {
  bareMax: Figures;
  gatewayMax: Figures;
  barePaced: Figures;
  gatewayPaced: Figures;
  throughputRatio: number;
  p99Ratio: number;
  escalationCpuMs: number;
  escalationsQueued: number;
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function ready(url: string): Promise<void> {
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs: 90_000, intervalMs: 200, what: url });
}

/** User + system CPU of a process so far, in ms (Linux /proc; clock ticks are 100 Hz here). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;

export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const { log } = options;
  const database = await createTestDatabase();
  const [barePort, gatewayPort] = [await freePort(), await freePort()];
  const bare = start(
    ['-e', `const e=require('express');const a=e();a.get('/',(q,s)=>{s.json({hello:'world'})});a.listen(${barePort},'127.0.0.1')`],
    {},
  );
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const gateway = start([...profile, '--import', 'tsx', 'apps/collections-api/src/main.ts'], {
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `bench-gw-${process.pid}-${Date.now()}`,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: ADMIN,
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    COLLECTIONS_SCAN_CRON: 'off',
    RETENTION_CRON: 'off',
    STRIPE_MODE: 'sandbox',
    NODE_ENV: 'development',
  });
  const exited = new Promise<void>((resolve) => gateway.once('exit', () => resolve()));
  exited.catch(() => undefined);
  try {
    const bareUrl = `http://127.0.0.1:${barePort}/`;
    const gw = `http://127.0.0.1:${gatewayPort}`;
    const died = exited.then(() => {
      throw new Error('the gateway exited before it was ready (its error is above)');
    });
    await Promise.race([Promise.all([ready(bareUrl), ready(`${gw}/health`)]), died]);

    const post = async <T>(p: string, body: unknown, auth: string, headers: Record<string, string> = {}): Promise<T> => {
      const res = await fetch(`${gw}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      if (!res.ok && res.status !== 202) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const created = await post<{ tenant: { id: string }; api_key: { key: string } }>(
      '/api/admin/tenants',
      { name: 'Bench Ltd', tier: 'pro' },
      ADMIN,
    );
    // The bench measures the limiter's cost, not its refusals: lift this tenant's limits.
    const BIG = 1_000_000_000;
    await database.db.tenant.update({
      where: { id: created.tenant.id },
      data: {
        limitOverrides: {
          hourly: { api_calls: BIG, emails: BIG },
          daily: { api_calls: BIG, emails: BIG, total_cost_pence: BIG },
          monthly: { api_calls: BIG, emails: BIG, total_cost_pence: BIG },
        },
      },
    });
    const key = created.api_key.key;
    const newInvoice = async (reference: string) => {
      const client = await post<{ id: string }>(
        '/api/clients',
        { name: `Debtor ${reference}`, email: `ap-${reference.toLowerCase()}@debtor.example`, phone: '+447700900123', kind: 'business' },
        key,
      );
      return post<{ id: string }>(
        '/api/invoices',
        { client_id: client.id, invoice_reference: reference, amount: 1234.56, issue_date: '2026-01-01', due_date: '2026-02-01' },
        key,
      );
    };
    const invoice = await newInvoice('BENCH-1');
    const invoiceUrl = `${gw}/api/invoices/${invoice.id}`;
    const auth = { authorization: `Bearer ${key}` };

    const measure = async (url: string, headers: Record<string, string>, pid: number | undefined, rate?: number): Promise<Figures> => {
      const cpuBefore = pid ? processCpuMs(pid) : NaN;
      const r = await autocannon({
        url,
        headers,
        connections: 10,
        ...(options.requests ? { amount: options.requests } : { duration: options.durationS }),
        ...(rate ? { overallRate: rate } : {}),
      });
      const cpuUs = (((pid ? processCpuMs(pid) : NaN) - cpuBefore) * 1000) / Math.max(r.requests.total, 1);
      const seconds = r.duration > 0 ? r.duration : options.durationS;
      return {
        rps: r.requests.total / seconds,
        p50: r.latency.p50 ?? NaN,
        p99: r.latency.p99 ?? NaN,
        non2xx: r.non2xx + r.errors,
        cpuUs,
      };
    };
    // Warm up both (JIT, connection pools, key and tenant caches).
    const warm = options.requests ?? 5000;
    await autocannon({ url: bareUrl, connections: 10, amount: warm });
    await autocannon({ url: invoiceUrl, headers: auth, connections: 10, amount: warm });

    const medianOf = (runs: Figures[]): Figures => ({
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
      cpuUs: median(runs.map((r) => r.cpuUs)),
    });
    const runs: Record<'bareMax' | 'gwMax' | 'bare500' | 'gw500', Figures[]> = { bareMax: [], gwMax: [], bare500: [], gw500: [] };
    for (let round = 0; round < options.rounds; round++) {
      runs.bareMax.push(await measure(bareUrl, {}, bare.pid));
      runs.gwMax.push(await measure(invoiceUrl, auth, gateway.pid));
    }
    for (let round = 0; round < options.rounds; round++) {
      runs.bare500.push(await measure(bareUrl, {}, bare.pid, options.rate));
      runs.gw500.push(await measure(invoiceUrl, auth, gateway.pid, options.rate));
    }
    const bareMax = medianOf(runs.bareMax);
    const gatewayMax = medianOf(runs.gwMax);
    const barePaced = medianOf(runs.bare500);
    const gatewayPaced = medianOf(runs.gw500);

    // Escalations: fresh invoices (one per escalation: a second email on one invoice the same day is refused by
    // contact frequency), then the gateway's own CPU across them, four at a time.
    const targets: string[] = [];
    for (let i = 0; i < options.escalations + 10; i++) targets.push((await newInvoice(`BENCH-E${i}`)).id);
    let queued = 0;
    const escalate = async (id: string, n: number) => {
      const res = await fetch(`${gw}/api/collections/escalate`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `bench-${n}` },
        body: JSON.stringify({ invoice_id: id, action: 'email' }),
      });
      if (res.status === 202) queued++;
      await res.arrayBuffer();
    };
    for (let i = 0; i < 10; i++) await escalate(targets[i] as string, i); // warm-up: the escalation path's JIT and pools
    queued = 0;
    const before = gateway.pid ? processCpuMs(gateway.pid) : NaN;
    let next = 10;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < targets.length) {
          const n = next++;
          await escalate(targets[n] as string, n);
        }
      }),
    );
    const escalationCpuMs = ((gateway.pid ? processCpuMs(gateway.pid) : NaN) - before) / options.escalations;

    const cpu = os.cpus();
    log(
      `gateway bench — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model}), load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${process.version}`,
    );
    log(
      `autocannon, 10 connections, ${options.rounds} alternating rounds of ${options.requests ? `${options.requests} requests` : `${options.durationS} s`}, medians; loopback; each server its own process; baseline and gateway measured in this run\n`,
    );
    const row = (name: string, f: Figures) =>
      log(
        `${name.padEnd(44)} ${f.rps.toFixed(0).padStart(7)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   CPU ${f.cpuUs.toFixed(0).padStart(4)} us/req   non-2xx/errors ${f.non2xx}`,
      );
    row('bare Express hello-world, max', bareMax);
    row('GET /api/invoices/{id}, max', gatewayMax);
    row(`bare Express hello-world, ${options.rate} req/s`, barePaced);
    row(`GET /api/invoices/{id}, ${options.rate} req/s`, gatewayPaced);
    for (const [name, list] of Object.entries(runs))
      log(`  ${name}: ${list.map((f) => `${f.rps.toFixed(0)} req/s p99 ${f.p99} ms`).join(' | ')}`);
    const throughputRatio = gatewayMax.rps / bareMax.rps;
    // p99 in whole ms: a bare p99 of 0 or 1 ms would make any ratio meaningless, so compare against at least 1 ms.
    const p99Ratio = gatewayPaced.p99 / Math.max(barePaced.p99, 1);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    log(
      `\ngateway / bare throughput: ${(throughputRatio * 100).toFixed(1)}% (goal >= ${GOAL.throughput * 100}%): ${met(throughputRatio >= GOAL.throughput)}`,
    );
    log(
      `p99 at ${options.rate} req/s: gateway ${gatewayPaced.p99} ms / bare ${barePaced.p99} ms = ${p99Ratio.toFixed(2)}x (goal <= ${GOAL.p99Ratio}x): ${met(p99Ratio <= GOAL.p99Ratio)}`,
    );
    log(
      `escalation: ${escalationCpuMs.toFixed(2)} ms gateway CPU each over ${options.escalations} (${queued} queued; PostgreSQL/Redis CPU not counted) (goal <= ${GOAL.escalationCpuMs} ms): ${met(escalationCpuMs <= GOAL.escalationCpuMs)}`,
    );
    return { bareMax, gatewayMax, barePaced, gatewayPaced, throughputRatio, p99Ratio, escalationCpuMs, escalationsQueued: queued };
  } finally {
    bare.kill('SIGTERM');
    gateway.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    await database.drop().catch(() => undefined);
  }
}

if (require.main === module) {
  runGatewayBench({
    durationS: Number(process.env.BENCH_DURATION_S ?? 5),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    rate: 500,
    escalations: Number(process.env.BENCH_ESCALATIONS ?? 200),
    log: (line) => console.log(line),
    cpuProfileDir: process.env.BENCH_CPU_PROF,
  }).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}
