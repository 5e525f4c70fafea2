import type { Redis } from 'ioredis';
import { RedisScript } from '@recoup/queue';
import { CONSUME_SCRIPT } from './scripts';

const consumeScript = new RedisScript(CONSUME_SCRIPT);

interface PendingCheck {
  keys: string[];
  args: Array<string | number>;
  entryCount: number;
  resolve: (raw: number[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces the checks issued in one event-loop turn into a single EVALSHA. Each check stays
 * all-or-nothing and they run in the order they were made; a busy API server pays one round
 * trip and one script call for many requests instead of one each.
 */
export class CheckBatcher {
  private pending: PendingCheck[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly maxBatch: number,
  ) {}

  submit(keys: string[], args: Array<string | number>, entryCount: number): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ keys, args, entryCount, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const keys: string[] = [];
    const args: Array<string | number> = [batch.length];
    for (const check of batch) {
      keys.push(...check.keys);
      args.push(...check.args);
    }
    consumeScript.run(this.redis, keys, args).then(
      (result) => {
        const raw = result as number[];
        let offset = 0;
        for (const check of batch) {
          const size = 2 + check.entryCount * 3;
          check.resolve(raw.slice(offset, offset + size));
          offset += size;
        }
      },
      (err: unknown) => {
        for (const check of batch) check.reject(err);
      },
    );
  }
}
