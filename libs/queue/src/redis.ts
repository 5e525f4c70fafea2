import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@recoup/observability';

export { Redis };

/**
 * - worker: BullMQ workers block on Redis and must never give up a command (`maxRetriesPerRequest: null`).
 * - producer/client: fail fast while Redis is down (`enableOfflineQueue: false`) so an HTTP
 *   request or a health probe answers at once instead of hanging.
 * All reconnect forever with a capped backoff, so the service recovers when Redis returns.
 */
export type RedisRole = 'worker' | 'producer' | 'client';

export function createRedis(url: string, role: RedisRole, logger?: Logger): Redis {
  const options: RedisOptions = {
    connectionName: `recoup-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    connectTimeout: 5_000,
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
  };
  const redis = new Redis(url, options);
  // An 'error' listener is mandatory: without one ioredis errors crash the process.
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) logger?.warn({ err: { message: err.message }, role }, 'redis connection error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) logger?.info({ role }, 'redis connection restored');
    lastError = '';
  });
  return redis;
}

/** Resolves when Redis answers PING: the /health probe. */
export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}

/** Waits until Redis answers, for workers that must not start before it does. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await pingRedis(redis);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** QUIT politely, and disconnect if Redis is not there to answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
