import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisScript } from '@recoup/queue';
import { BEGIN_SCRIPT, EXTEND_SCRIPT, FINISH_SCRIPT, RELEASE_SCRIPT } from './scripts';

/** What is replayed to a repeated delivery: the first delivery's HTTP status and body. */
export interface Outcome {
  status: number;
  body: string;
  contentType?: string;
}

export type BeginResult =
  | { kind: 'acquired'; token: string; takeover: boolean }
  | { kind: 'processing'; leaseExpiresAt: Date }
  | { kind: 'completed'; outcome: Outcome }
  | { kind: 'failed'; outcome: Outcome }
  | { kind: 'mismatch' };

export interface IdempotencyOptions {
  prefix?: string;
  /** How long a holder may process before another delivery may take over. */
  leaseMs?: number;
  /** Completed records are kept 2 days: longer than Stripe's and Twilio's retry schedules bother to redeliver quickly. */
  completedTtlMs?: number;
  /** Failed records are kept 1 hour; after that a redelivery processes the event again. */
  failedTtlMs?: number;
  clock?: () => number;
}

const begin = new RedisScript(BEGIN_SCRIPT);
const finish = new RedisScript(FINISH_SCRIPT);
const extend = new RedisScript(EXTEND_SCRIPT);
const release = new RedisScript(RELEASE_SCRIPT);

/**
 * Exactly-once processing of webhook events and client requests on Redis: the first delivery
 * takes a lease, later ones get its stored outcome (or wait while it is processing), and a
 * holder that dies is replaced after its lease; its late finish is refused (fencing token).
 */
export class IdempotencyStore {
  readonly leaseMs: number;
  private readonly prefix: string;
  private readonly completedTtlMs: number;
  private readonly failedTtlMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly redis: Redis,
    options: IdempotencyOptions = {},
  ) {
    this.prefix = options.prefix ?? 'idempotency';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.completedTtlMs = options.completedTtlMs ?? 2 * 24 * 3_600_000;
    this.failedTtlMs = options.failedTtlMs ?? 3_600_000;
    this.clock = options.clock ?? Date.now;
  }

  key(provider: string, eventId: string): string {
    return `${this.prefix}:${provider}:${eventId}`;
  }

  async begin(provider: string, eventId: string, fingerprint = ''): Promise<BeginResult> {
    const token = randomUUID();
    const r = (await begin.run(
      this.redis,
      [this.key(provider, eventId)],
      [this.clock(), token, this.leaseMs, fingerprint, Math.max(this.completedTtlMs, this.leaseMs)],
    )) as Array<string | number>;
    switch (r[0]) {
      case 'acquired':
        return { kind: 'acquired', token, takeover: r[1] === 1 };
      case 'processing':
        return { kind: 'processing', leaseExpiresAt: new Date(Number(r[1])) };
      case 'completed':
      case 'failed':
        return { kind: r[0], outcome: { status: Number(r[1]), body: String(r[2] ?? ''), ...(r[3] ? { contentType: String(r[3]) } : {}) } };
      case 'mismatch':
        return { kind: 'mismatch' };
      default:
        throw new Error(`unexpected idempotency answer ${String(r[0])}`);
    }
  }

  /** Stores the outcome; false when this token lost its lease to a takeover (the outcome is not stored). */
  async complete(provider: string, eventId: string, token: string, outcome: Outcome): Promise<boolean> {
    return this.finish(provider, eventId, token, 'completed', outcome, this.completedTtlMs);
  }

  async fail(provider: string, eventId: string, token: string, outcome: Outcome): Promise<boolean> {
    return this.finish(provider, eventId, token, 'failed', outcome, this.failedTtlMs);
  }

  /** Extends the lease of a long-running holder. */
  async extend(provider: string, eventId: string, token: string): Promise<boolean> {
    return (await extend.run(this.redis, [this.key(provider, eventId)], [token, this.clock(), this.leaseMs])) === 1;
  }

  /** Forgets the record (the request was refused before doing anything), so a retry runs afresh. */
  async release(provider: string, eventId: string, token: string): Promise<boolean> {
    return (await release.run(this.redis, [this.key(provider, eventId)], [token])) === 1;
  }

  /**
   * Waits while another delivery holds the lease, polling with backoff; returns the stored
   * outcome, an acquisition (the holder died and this call took over), or the last state seen.
   */
  async awaitOutcome(provider: string, eventId: string, fingerprint: string, waitMs: number): Promise<BeginResult> {
    const deadline = Date.now() + waitMs;
    let delay = 10;
    for (;;) {
      const state = await this.begin(provider, eventId, fingerprint);
      if (state.kind !== 'processing' || Date.now() + delay > deadline) return state;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  }

  /**
   * Runs `handler` once per event id: concurrent and later calls get the first call's outcome.
   * A handler that throws leaves a failed record (kept failedTtlMs) and rethrows.
   */
  async run(
    provider: string,
    eventId: string,
    handler: () => Promise<Outcome>,
    options: { waitMs?: number } = {},
  ): Promise<{ outcome: Outcome; replayed: boolean } | { processing: true }> {
    const state = await this.awaitOutcome(provider, eventId, '', options.waitMs ?? 5_000);
    if (state.kind === 'completed' || state.kind === 'failed') return { outcome: state.outcome, replayed: true };
    if (state.kind !== 'acquired') return { processing: true };
    let outcome: Outcome;
    try {
      outcome = await handler();
    } catch (err) {
      await this.fail(provider, eventId, state.token, { status: 500, body: 'handler failed' });
      throw err;
    }
    await (outcome.status >= 500 ? this.fail : this.complete).call(this, provider, eventId, state.token, outcome);
    return { outcome, replayed: false };
  }

  private async finish(
    provider: string,
    eventId: string,
    token: string,
    state: 'completed' | 'failed',
    outcome: Outcome,
    keepMs: number,
  ): Promise<boolean> {
    const r = await finish.run(
      this.redis,
      [this.key(provider, eventId)],
      [token, state, outcome.status, outcome.body, outcome.contentType ?? '', keepMs],
    );
    return r === 1;
  }
}
