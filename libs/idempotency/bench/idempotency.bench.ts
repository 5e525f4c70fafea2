/**
 * npm run bench:idempotency
 *
 * Latency the idempotency layer adds to a webhook: an Express app on loopback answering a
 * Stripe-style POST, with and without webhookIdempotency in front of the same handler
 * (named baseline: the bare handler), measured in the same run, alternating, sequentially
 * (one request at a time, so latency is not queueing). Also the store alone (begin + complete).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { IdempotencyStore, webhookIdempotency } from '../src';

export interface IdempotencyBenchOptions {
  redisUrl: string;
  /** Webhooks per case. */
  requests: number;
  warmup: number;
  log: (line: string) => void;
  prefix?: string;
}

export interface Latency {
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs the comparison and prints it; the CLI below and the CI smoke test (a few requests) call it. */
export async function runIdempotencyBench(
  options: IdempotencyBenchOptions,
): Promise<{ baseline: Latency; first: Latency; replay: Latency; store: Latency }> {
  const { log } = options;
  const N = options.requests;
  const redis = new Redis(options.redisUrl);
  const prefix = options.prefix ?? `bench-idem-${process.pid}`;
  const store = new IdempotencyStore(redis, { prefix });
  const logger = createLogger({ service: 'bench', level: 'silent', destination: new Writable({ write: (_c, _e, d) => d() }) });
  const app = createHttpApp({
    service: 'bench',
    logger,
    metrics: createMetrics('bench'),
    health: {},
    configure: (a) => {
      const handler = (_req: unknown, res: { json: (b: unknown) => void }) => res.json({ received: true });
      a.post('/plain', handler);
      a.post('/idempotent', webhookIdempotency({ store, provider: 'stripe', eventId: (req) => (req.body as { id: string }).id }), handler);
    },
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, id: string) => {
    const t = performance.now();
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, type: 'payment_intent.succeeded' }),
    });
    await res.arrayBuffer();
    return performance.now() - t;
  };
  for (let i = 0; i < options.warmup; i++) {
    await post('/plain', `warm-${i}`);
    await post('/idempotent', `warm-${i}`);
  }
  const plain: number[] = [];
  const idem: number[] = [];
  const replay: number[] = [];
  for (let i = 0; i < N; i++) {
    plain.push(await post('/plain', `evt_${i}`));
    idem.push(await post('/idempotent', `evt_${i}`));
    replay.push(await post('/idempotent', `evt_${i}`));
  }
  const storeOnly: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const s = await store.begin('bench', `s_${i}`);
    if (s.kind === 'acquired') await store.complete('bench', `s_${i}`, s.token, { status: 200, body: '{"received":true}' });
    storeOnly.push(performance.now() - t);
  }
  const fmt = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: percentile(s, 50), p99: percentile(s, 99) };
  };
  const a = fmt(plain);
  const b = fmt(idem);
  const c = fmt(replay);
  const d = fmt(storeOnly);
  log(
    `idempotency bench — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}; ${N} webhooks per case, sequential`,
  );
  log(`baseline (bare handler)          p50 ${a.p50.toFixed(3)} ms   p99 ${a.p99.toFixed(3)} ms`);
  log(
    `first delivery (idempotent)      p50 ${b.p50.toFixed(3)} ms   p99 ${b.p99.toFixed(3)} ms   added p50 ${(b.p50 - a.p50).toFixed(3)} ms, p99 ${(b.p99 - a.p99).toFixed(3)} ms`,
  );
  log(`repeat delivery (replayed)       p50 ${c.p50.toFixed(3)} ms   p99 ${c.p99.toFixed(3)} ms`);
  log(`store alone (begin + complete)   p50 ${d.p50.toFixed(3)} ms   p99 ${d.p99.toFixed(3)} ms`);
  await new Promise((resolve) => server.close(resolve));
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return { baseline: a, first: b, replay: c, store: d };
}

if (require.main === module) {
  runIdempotencyBench({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    requests: Number(process.env.BENCH_REQUESTS ?? 3000),
    warmup: 300,
    log: (line) => console.log(line),
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
