/**
 * The notifier benchmark (npm run bench:notifier prints it; a small run of it is a CI test so it never rots).
 *
 * 1. Throughput: `messages` email jobs queued up front, drained by the notifier worker through the full path
 *    (attempt row, read of debtor/tenant/invoice, compliance engine with its audit row, tier limits and cost on Redis,
 *    balance quote, debtor link token, template render, sandbox provider row, attempt marked sent). Messages per
 *    second from the first job taken to the last one sent.
 * 2. Latency: jobs enqueued at a steady `rate` per second for `seconds`; enqueue-to-sent time of each (the worker's
 *    `completed` event comes after the row is marked sent).
 * Named baseline, measured in the same run with the same Redis, queue options and concurrency: a bare BullMQ worker
 * whose processor does nothing. The machine is shared, so the ratio to it is the figure that compares across runs.
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

export interface NotifierBenchOptions {
  redisUrl: string;
  messages: number;
  rate: number;
  seconds: number;
  concurrency: number;
  warmUp: number;
  /** A CPU profile of the notifier's throughput phase is written here (open in Chrome DevTools). */
  profilePath?: string;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export interface NotifierBenchResult {
  options: NotifierBenchOptions;
  baselineJobsPerSecond: number;
  notifierMessagesPerSecond: number;
  /** notifier / baseline */
  ratio: number;
  /** User + system CPU of this process during the notifier's throughput phase, per message (PostgreSQL and Redis not counted). */
  cpuMsPerMessage: number;
  baselineLatency: LatencySummary;
  notifierLatency: LatencySummary;
  /** Rows written: every job's attempt must be `sent` and have exactly one outbox row. */
  attemptsSent: number;
  outboxRows: number;
  expectedMessages: number;
  /** Jobs that failed for good, and runs that failed and were retried (job id: error). */
  failures: string[];
  retries: string[];
}

export const GOALS = { messagesPerSecond: 1_500, ratio: 0.25, cpuMsPerMessage: 1, p99Ms: 50 };

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function summarise(latencies: number[]): LatencySummary {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) ?? NaN };
}

async function drive(
  queue: Queue,
  worker: Worker,
  payload: (i: number) => Record<string, unknown>,
  jobIds: string[],
  pace?: number,
): Promise<{ seconds: number; latencies: number[]; failed: string[]; retried: string[] }> {
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let done = 0;
  const failed: string[] = [];
  const retried: string[] = [];
  let first = 0;
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const finish = (job: Job | undefined) => {
    const t0 = started.get(job?.id ?? '');
    if (t0 === undefined) return;
    latencies.push(performance.now() - t0);
    done += 1;
    if (done === jobIds.length) resolveAll();
  };
  // A job that will run again (an error of ours, within its attempts) is not done yet: it is counted when it is.
  const onFailed = (job: Job | undefined, err: Error) => {
    const again = job && err.name !== 'UnrecoverableError' && job.attemptsMade < (job.opts.attempts ?? 1);
    (again ? retried : failed).push(`${job?.id}: ${err.message}`);
    if (!again) finish(job);
  };
  worker.on('completed', finish);
  worker.on('failed', onFailed);
  const opts = { attempts: 5, backoff: { type: 'fixed' as const, delay: 200 }, removeOnComplete: true };
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
  worker.off('completed', finish);
  worker.off('failed', onFailed);
  return { seconds: (performance.now() - first) / 1000, latencies, failed, retried };
}

export async function runNotifierBench(o: NotifierBenchOptions): Promise<NotifierBenchResult> {
  const database = await createTestDatabase();
  const prefix = `bench-notifier-${process.pid}-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const baseRedis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  let deps: Deps | undefined;
  let baseQueue: Queue | undefined;
  let baseWorker: Worker | undefined;
  try {
    const steadyCount = o.rate * o.seconds;
    const total = o.messages + steadyCount + o.warmUp;
    const tenant = await createTenant(database.db);
    // One debtor per message: the compliance engine's 7-in-7-days rule would hold back repeats.
    const debtors: Array<{ clientId: string; invoiceId: string }> = [];
    for (let i = 0; i < total; i += 1000) {
      const clients = Array.from({ length: Math.min(1000, total - i) }, (_, k) => ({
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
      const d = debtors[offset + i];
      if (!d) throw new Error(`no debtor ${offset + i}`);
      return {
        tenant_id: tenant.id,
        client_id: d.clientId,
        invoice_id: d.invoiceId,
        template_id: 'friendly_reminder',
        purpose: 'reminder',
        requested_by: 'bench',
        channel: 'email',
      };
    };
    // The baseline's payloads are the same shape; its no-op processor never reads them.
    const basePayload = payload(0);

    baseQueue = new Queue('bench-noop', { connection: redis, prefix });
    baseWorker = new Worker('bench-noop', async () => undefined, { connection: baseRedis, prefix, concurrency: o.concurrency });
    await baseWorker.waitUntilReady();

    const { config, providers } = loadConfig({
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: o.redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      WORKER_CONCURRENCY: String(o.concurrency),
      SENDGRID_MODE: 'sandbox',
      TWILIO_MODE: 'sandbox',
    });
    deps = buildDeps(config, providers, { clock: () => MONDAY_NOON });
    void deps.worker.run();
    await deps.worker.waitUntilReady();

    const ids = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-${randomUUID().slice(0, 8)}`);
    // Warm-up (JIT, statements, Lua scripts loaded) on both.
    await drive(baseQueue, baseWorker, basePayload, ids(o.warmUp, 'warm'));
    const warm = await drive(deps.notifications, deps.worker, payload(o.messages + steadyCount), ids(o.warmUp, 'warm'));

    const baseThroughput = await drive(baseQueue, baseWorker, basePayload, ids(o.messages, 'base'));
    const profile = o.profilePath ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const fullThroughput = await drive(deps.notifications, deps.worker, payload(0), ids(o.messages, 'full'));
    const cpu = process.cpuUsage(cpu0);
    if (profile && o.profilePath) {
      writeFileSync(o.profilePath, JSON.stringify((await profile.post('Profiler.stop')).profile));
      profile.disconnect();
    }
    const baseSteady = await drive(baseQueue, baseWorker, basePayload, ids(steadyCount, 'base-steady'), o.rate);
    const fullSteady = await drive(deps.notifications, deps.worker, payload(o.messages), ids(steadyCount, 'full-steady'), o.rate);

    const baselineJobsPerSecond = o.messages / baseThroughput.seconds;
    const notifierMessagesPerSecond = o.messages / fullThroughput.seconds;
    return {
      options: o,
      baselineJobsPerSecond,
      notifierMessagesPerSecond,
      ratio: notifierMessagesPerSecond / baselineJobsPerSecond,
      cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / o.messages,
      baselineLatency: summarise(baseSteady.latencies),
      notifierLatency: summarise(fullSteady.latencies),
      attemptsSent: await database.db.contactAttempt.count({ where: { status: 'sent' } }),
      outboxRows: await database.db.sandboxMessage.count(),
      expectedMessages: o.messages + steadyCount + o.warmUp,
      failures: [...warm.failed, ...fullThroughput.failed, ...fullSteady.failed],
      retries: [...warm.retried, ...fullThroughput.retried, ...fullSteady.retried],
    };
  } finally {
    await baseWorker?.close();
    await baseQueue?.obliterate({ force: true }).catch(() => undefined);
    await baseQueue?.close();
    if (deps) {
      await deps.worker.close();
      await deps.notifications.obliterate({ force: true }).catch(() => undefined);
      await deps.close();
    }
    await baseRedis.quit();
    await redis.quit();
    await database.drop();
  }
}

const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 1);
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The report npm run bench:notifier prints. */
export function formatNotifierBench(r: NotifierBenchResult): string {
  const o = r.options;
  const cpus = os.cpus();
  return [
    `notifier bench, ${new Date().toISOString()}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), node ${process.version}, concurrency ${o.concurrency}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    `rows: ${r.attemptsSent} attempts sent, ${r.outboxRows} sandbox messages, ${r.failures.length} failed jobs, ${r.retries.length} retried runs (expected ${r.expectedMessages} each, 0 failed)`,
    ...[...r.failures, ...r.retries].slice(0, 5).map((f) => `  failed run ${f}`),
    '',
    `throughput, ${o.messages} queued jobs`,
    `  baseline (bare BullMQ no-op worker, same run): ${fmt(r.baselineJobsPerSecond)} jobs/s`,
    `  notifier full path:                           ${fmt(r.notifierMessagesPerSecond)} msgs/s = ${(r.ratio * 100).toFixed(1)}% of the baseline` +
      `  (goals: ${GOALS.messagesPerSecond} msgs/s ${met(r.notifierMessagesPerSecond >= GOALS.messagesPerSecond)}, ` +
      `${GOALS.ratio * 100}% of baseline ${met(r.ratio >= GOALS.ratio)})`,
    `  notifier process CPU per message:             ${r.cpuMsPerMessage.toFixed(2)} ms (PostgreSQL and Redis not counted; goal <= ${GOALS.cpuMsPerMessage} ms ${met(r.cpuMsPerMessage <= GOALS.cpuMsPerMessage)})`,
    `enqueue-to-sent latency at a steady ${o.rate} msgs/s for ${o.seconds} s`,
    `  baseline (bare BullMQ no-op worker, same run): p50 ${fmt(r.baselineLatency.p50)} ms, p99 ${fmt(r.baselineLatency.p99)} ms, max ${fmt(r.baselineLatency.max)} ms`,
    `  notifier full path:                           p50 ${fmt(r.notifierLatency.p50)} ms, p99 ${fmt(r.notifierLatency.p99)} ms, max ${fmt(r.notifierLatency.max)} ms` +
      `  (goal p99 < ${GOALS.p99Ms} ms: ${met(r.notifierLatency.p99 < GOALS.p99Ms)})`,
  ].join('\n');
}
