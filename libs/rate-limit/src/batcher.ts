import type { Redis } from 'ioredis';
import { RedisScript } from '@recoup/queue';
import { CONSUME_SCRIPT } from './scripts';

const consumeScript = new RedisScript(CONSUME_SCRIPT);

/** A check's answer: the batch's flat reply and where this check's part starts (denied index, then used per entry). */
export interface CheckReply {
  raw: number[];
  offset: number;
}

interface PendingCheck {
  keys: string[];
  /** The plan's tokens, joined: checks with equal plans in one batch send it once. */
  planId: string;
  plan: Array<string | number>;
  entryCount: number;
  resolve: (reply: CheckReply) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces the checks issued in one event-loop turn into a single EVALSHA. Each check stays
 * all-or-nothing and they run in the order they were made; a busy API server pays one round
 * trip and one script call for many requests instead of one each. One timer per batch bounds
 * how long its checks wait for Redis.
 */
export class CheckBatcher {
  private pending: PendingCheck[] = [];
  private scheduled = false;
  private readonly flushSoon = () => this.flush();

  constructor(
    private readonly redis: Redis,
    private readonly maxBatch: number,
    private readonly timeoutMs: number,
  ) {}

  submit(keys: string[], planId: string, plan: Array<string | number>, entryCount: number): Promise<CheckReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ keys, planId, plan, entryCount, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushSoon);
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const keys: string[] = [];
    // Checks that share a plan (same tier, action and period) send it once; each check names its plan by number.
    const planNumbers = new Map<string, number>();
    const args: Array<string | number> = [batch.length, 0];
    const refs: number[] = [];
    for (const check of batch) {
      for (const key of check.keys) keys.push(key);
      let n = planNumbers.get(check.planId);
      if (n === undefined) {
        n = planNumbers.size + 1;
        planNumbers.set(check.planId, n);
        args.push(check.plan.length);
        for (const token of check.plan) args.push(token);
      }
      refs.push(n);
    }
    args[1] = planNumbers.size;
    for (const ref of refs) args.push(ref);
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new Error(`redis did not answer within ${this.timeoutMs} ms`);
      for (const check of batch) check.reject(err);
    }, this.timeoutMs);
    timer.unref();
    consumeScript.run(this.redis, keys, args).then(
      (result) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const raw = result as number[];
        let offset = 0;
        for (const check of batch) {
          check.resolve({ raw, offset });
          offset += 1 + check.entryCount;
        }
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        for (const check of batch) check.reject(err);
      },
    );
  }
}
