/**
 * npm run bench:notifier
 *
 * 1. Throughput: BENCH_MESSAGES email jobs queued up front, drained by the notifier worker
 *    through the full path (attempt row, re-read of debtor and invoice, compliance engine with
 *    its audit row, tier limits and cost on Redis, template render, sandbox provider row, attempt
 *    marked sent). Messages per second from the first job taken to the last one sent.
 * 2. Latency: jobs enqueued at a steady BENCH_RATE per second for BENCH_SECONDS; enqueue-to-sent
 *    time of each (the worker's `completed` event comes after the row is marked sent).
 * Named baseline, same run, same Redis and concurrency: a bare BullMQ worker whose processor does
 * nothing ("no-op worker"). Goals (issue 6): >= 2,000 msgs/s; p99 < 50 ms at 200 msgs/s.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createTestDatabase } from '@recoup/testing';
import { loadConfig } from '../src/config';
import { buildDeps, type Deps } from '../src/deps';
import { MONDAY_NOON, createTenant } from '../test/fixtures';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 1);

async function drive(queue: Queue, worker: Worker, payload: (i: number) => Record<string, unknown>, jobIds: string[], pace?: number) {
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let done = 0;
  let first = 0;
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const onDone = (job: Job) => {
    const t0 = started.get(job.id ?? '');
    if (t0 === undefined) return;
    latencies.push(performance.now() - t0);
    done += 1;
    if (done === jobIds.length) resolveAll();
  };
  worker.on('completed', onDone);
  worker.on('failed', (job, err) => {
    console.error(`job ${job?.id} failed: ${err.message}`);
    if (job) onDone(job);
  });
  const opts = { attempts: 5, backoff: { type: 'exponential' as const, delay: 30_000 }, removeOnComplete: true };
  if (pace) {
    // Steady arrivals: job i is added at i / pace seconds, regardless of how the previous ones fare.
    const t0 = performance.now();
    first = t0;
    for (let i = 0; i < jobIds.length; i++) {
      const due = t0 + (i * 1000) / pace;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const id = jobIds[i] ?? '';
      started.set(id, performance.now());
      void queue.add('email.send', payload(i), { ...opts, jobId: id });
    }
  } else {
    await worker.pause();
    for (let i = 0; i < jobIds.length; i += 500) {
      await queue.addBulk(
        jobIds.slice(i, i + 500).map((id, k) => ({ name: 'email.send', data: payload(i + k), opts: { ...opts, jobId: id } })),
      );
    }
    first = performance.now();
    for (const id of jobIds) started.set(id, first);
    worker.resume();
  }
  await all;
  worker.off('completed', onDone);
  return { seconds: (performance.now() - first) / 1000, latencies };
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const prefix = `bench-notifier-${process.pid}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const total = MESSAGES + RATE * SECONDS + 2_000;
  const tenant = await createTenant(database.db);
  // One debtor per message: the compliance engine's 7-in-7-days rule would hold back repeats.
  const debtors: Array<{ clientId: string; invoiceId: string }> = [];
  for (let i = 0; i < total * 2; i += 1000) {
    const clients = Array.from({ length: Math.min(1000, total * 2 - i) }, (_, k) => ({
      id: randomUUID(),
      tenantId: tenant.id,
      name: `Debtor ${i + k}`,
      kind: 'business' as const,
      email: `d${i + k}@example.com`,
    }));
    await database.db.client.createMany({ data: clients });
    const invoices = clients.map((c, k) => ({
      id: randomUUID(),
      tenantId: tenant.id,
      clientId: c.id,
      reference: `INV-${i + k}`,
      amountPence: 100_00,
      issueDate: new Date('2026-09-01'),
      dueDate: new Date('2026-10-01'),
      status: 'overdue' as const,
    }));
    await database.db.invoice.createMany({ data: invoices });
    debtors.push(...invoices.map((inv) => ({ clientId: inv.clientId, invoiceId: inv.id })));
  }
  const payload = (offset: number) => (i: number) => {
    const d = debtors[offset + i] ?? debtors[0];
    return {
      tenant_id: tenant.id,
      client_id: d?.clientId,
      invoice_id: d?.invoiceId,
      template_id: 'friendly_reminder',
      purpose: 'reminder',
      requested_by: 'bench',
      channel: 'email',
    };
  };

  // Baseline: bare BullMQ, no-op processor, same queue options and concurrency.
  const baseQueue = new Queue('bench-noop', { connection: redis, prefix });
  const baseWorker = new Worker('bench-noop', async () => undefined, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: CONCURRENCY,
  });
  await baseWorker.waitUntilReady();

  const { config, providers } = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    SENDGRID_MODE: 'sandbox',
    TWILIO_MODE: 'sandbox',
  });
  const deps: Deps = buildDeps(config, providers, { clock: () => MONDAY_NOON });
  void deps.worker.run();
  await deps.worker.waitUntilReady();

  const ids = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-${randomUUID().slice(0, 8)}`);
  // Warm-up (JIT, prepared statements, Lua scripts loaded) on both.
  await drive(baseQueue, baseWorker, payload(0), ids(200, 'warm'));
  await drive(deps.notifications, deps.worker, payload(total), ids(200, 'warm'));

  const baseThroughput = await drive(baseQueue, baseWorker, payload(0), ids(MESSAGES, 'base'));
  // BENCH_PROFILE=<file.cpuprofile>: a CPU profile of the full-path throughput phase (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profile) {
    profile.connect();
    await profile.post('Profiler.enable');
    await profile.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const fullThroughput = await drive(deps.notifications, deps.worker, payload(0), ids(MESSAGES, 'full'));
  const cpu = process.cpuUsage(cpu0);
  if (profile && process.env.BENCH_PROFILE)
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify((await profile.post('Profiler.stop')).profile));
  const baseSteady = await drive(baseQueue, baseWorker, payload(0), ids(RATE * SECONDS, 'base-steady'), RATE);
  const fullSteady = await drive(deps.notifications, deps.worker, payload(MESSAGES), ids(RATE * SECONDS, 'full-steady'), RATE);

  // The same measurement at half the throughput just measured: latency when the worker keeps up.
  const easyRate = Math.max(5, Math.floor(MESSAGES / fullThroughput.seconds / 2));
  const fullEasy = await drive(
    deps.notifications,
    deps.worker,
    payload(MESSAGES + RATE * SECONDS),
    ids(easyRate * SECONDS, 'full-easy'),
    easyRate,
  );

  const sent = await database.db.contactAttempt.count({ where: { status: 'sent' } });
  const outbox = await database.db.sandboxMessage.count();
  const rate = (r: { seconds: number }) => MESSAGES / r.seconds;
  const lat = (r: { latencies: number[] }) => {
    const s = [...r.latencies].sort((a, b) => a - b);
    return { p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) ?? NaN };
  };
  const fullLat = lat(fullSteady);
  const baseLat = lat(baseSteady);
  console.log(
    `notifier bench, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, concurrency ${CONCURRENCY}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `rows: ${sent} attempts sent, ${outbox} sandbox messages (expected ${MESSAGES + RATE * SECONDS + easyRate * SECONDS + 200} each)`,
  );
  console.log('');
  console.log(`throughput, ${MESSAGES} queued jobs`);
  console.log(`  baseline (bare BullMQ no-op worker): ${fmt(rate(baseThroughput))} jobs/s`);
  console.log(
    `  notifier full path:                  ${fmt(rate(fullThroughput))} msgs/s  (${((rate(fullThroughput) / rate(baseThroughput)) * 100).toFixed(1)}% of baseline; goal 2,000: ${rate(fullThroughput) >= 2000 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  notifier process CPU per message:    ${((cpu.user + cpu.system) / 1000 / MESSAGES).toFixed(2)} ms (PostgreSQL and Redis CPU not included)`,
  );
  console.log(`enqueue-to-sent latency at a steady ${RATE} msgs/s for ${SECONDS} s`);
  console.log(`  baseline (bare BullMQ no-op worker): p50 ${fmt(baseLat.p50)} ms, p99 ${fmt(baseLat.p99)} ms, max ${fmt(baseLat.max)} ms`);
  console.log(
    `  notifier full path:                  p50 ${fmt(fullLat.p50)} ms, p99 ${fmt(fullLat.p99)} ms, max ${fmt(fullLat.max)} ms  (goal p99 < 50 ms: ${fullLat.p99 < 50 ? 'met' : 'MISSED'})`,
  );
  const easyLat = lat(fullEasy);
  console.log(`enqueue-to-sent latency at a steady ${easyRate} msgs/s (half the measured throughput) for ${SECONDS} s`);
  console.log(`  notifier full path:                  p50 ${fmt(easyLat.p50)} ms, p99 ${fmt(easyLat.p99)} ms, max ${fmt(easyLat.max)} ms`);

  await baseWorker.close();
  await baseQueue.obliterate({ force: true });
  await baseQueue.close();
  await deps.worker.close();
  await deps.notifications.obliterate({ force: true }).catch(() => undefined);
  await deps.close();
  await redis.quit();
  await database.drop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
