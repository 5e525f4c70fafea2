import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import { ChannelSubscription } from './channel-subscription';

/** The pub/sub channel of a stack: under its QUEUE_PREFIX, so stacks sharing one Redis never revoke each other's cache. */
export function keyRevocationChannel(queuePrefix: string): string {
  return `${queuePrefix}:auth:key-revocations`;
}

/** What a revocation or rotation announces: the ids of the keys that stopped working (never a key or its hash). */
const RevocationMessage = z.object({ tenant_id: z.string().min(1), key_ids: z.array(z.string().min(1)).min(1) });

export interface KeyRevocation {
  tenantId: string;
  keyIds: string[];
}

/** `revoked`: keys stopped working; `unheard`: the subscription was lost (revocations may be missed); `heard`: it is back. */
export type KeyRevocationEvent = { type: 'revoked'; revocation: KeyRevocation } | { type: 'unheard' } | { type: 'heard' };

export interface KeyRevocationsOptions {
  /** Publishes: the service's fail-fast client connection. */
  publisher: Redis;
  /**
   * A connection in subscriber mode (createRedis(url, 'worker'): it queues the SUBSCRIBE until connected and reconnects
   * forever). It may be shared with the process's other subscribers; this class never closes it.
   */
  subscriber: Redis;
  /** keyRevocationChannel(QUEUE_PREFIX). */
  channel: string;
  logger?: Logger;
}

/**
 * Revoked and rotated API keys, announced to every process of the stack over Redis pub/sub so each drops them from its
 * lookup cache (and ends their live streams) at once. Pub/sub is at most once: a message sent while a subscriber is
 * disconnected is lost to it, so `listening` says whether the cache may be trusted at all (see ApiKeyService).
 */
export class KeyRevocations {
  private readonly emitter = new EventEmitter();
  private generation = 0;
  private readonly subscription: ChannelSubscription;

  constructor(private readonly options: KeyRevocationsOptions) {
    this.emitter.setMaxListeners(0);
    const { channel, logger } = options;
    this.subscription = new ChannelSubscription(
      options.subscriber,
      channel,
      {
        message: (message) => {
          const parsed = RevocationMessage.safeParse(safeJson(message));
          if (!parsed.success) {
            logger?.warn({ channel }, 'unreadable key revocation ignored');
            return;
          }
          this.generation++;
          this.emitter.emit('event', {
            type: 'revoked',
            revocation: { tenantId: parsed.data.tenant_id, keyIds: parsed.data.key_ids },
          } satisfies KeyRevocationEvent);
        },
        lost: () => {
          this.generation++;
          logger?.warn({ channel }, 'key revocations unheard (Redis subscriber disconnected): API key lookups are trusted for 1 s only');
          this.emitter.emit('event', { type: 'unheard' } satisfies KeyRevocationEvent);
        },
        heard: () => {
          this.generation++;
          logger?.info({ channel }, 'key revocations heard');
          this.emitter.emit('event', { type: 'heard' } satisfies KeyRevocationEvent);
        },
      },
      logger,
    );
  }

  /** True while the subscription is in place: a revocation published now reaches this process. */
  get listening(): boolean {
    return this.subscription.listening;
  }

  /**
   * Changes whenever something may have made a cached lookup stale: a revocation arrived, or the subscription was lost
   * or regained. A lookup read from PostgreSQL is trusted for long only if this did not change during the read.
   */
  get version(): number {
    return this.generation;
  }

  /** Resolves once the subscription is in place (start-up, tests). */
  ready(): Promise<void> {
    return this.subscription.ready();
  }

  /** Announces a revocation to every process of the stack (this one included); false if Redis did not take it. */
  async publish(revocation: KeyRevocation): Promise<boolean> {
    if (revocation.keyIds.length === 0) return true;
    const message = JSON.stringify({ tenant_id: revocation.tenantId, key_ids: revocation.keyIds });
    try {
      await this.options.publisher.publish(this.options.channel, message);
      return true;
    } catch (err) {
      // The revocation is committed in PostgreSQL; other processes see it when their cache entry expires (30 s).
      this.options.logger?.error(
        { err: { message: (err as Error).message }, tenantId: revocation.tenantId, keyIds: revocation.keyIds },
        'key revocation not announced: other services may accept these keys until their cache expires',
      );
      return false;
    }
  }

  on(listener: (event: KeyRevocationEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Stops listening; the connections belong to the caller. */
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    await this.subscription.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
