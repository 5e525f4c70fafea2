import { EventEmitter } from 'node:events';
import type { IvrCallEvent } from '@recoup/contracts';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';

export interface TenantCallEvent {
  tenantId: string;
  event: IvrCallEvent;
}

export interface CallEventsRedis {
  /** Publishes (a fail-fast client connection). */
  publisher: Redis;
  /** A connection of its own in subscriber mode (ioredis reconnects and re-subscribes after an outage). */
  subscriber: Redis;
  channel: string;
  logger: Logger;
}

/**
 * Call updates for the live stream (server-sent events). With Redis, every replica's updates
 * reach every replica's streams (pub/sub: at most once, which suits a live view that re-reads
 * the list); without it, in-process only.
 */
export class CallEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly redis?: CallEventsRedis) {
    this.emitter.setMaxListeners(0);
    if (redis) {
      redis.subscriber.on('message', (channel: string, message: string) => {
        if (channel !== redis.channel) return;
        try {
          this.emitter.emit('call', JSON.parse(message) as TenantCallEvent);
        } catch {
          redis.logger.warn({ channel }, 'unreadable call event ignored');
        }
      });
      redis.subscriber
        .subscribe(redis.channel)
        .catch((err: Error) => redis.logger.warn({ err: { message: err.message } }, 'call events: subscribe failed'));
    }
  }

  /** Resolves once the subscription is in place (tests, start-up). */
  async ready(): Promise<void> {
    if (!this.redis) return;
    await this.redis.subscriber.subscribe(this.redis.channel);
  }

  publish(tenantId: string, event: IvrCallEvent): void {
    const message: TenantCallEvent = { tenantId, event };
    if (!this.redis) {
      this.emitter.emit('call', message);
      return;
    }
    // A lost live update is repaired by the dashboard's next read; a call must never fail for it.
    this.redis.publisher
      .publish(this.redis.channel, JSON.stringify(message))
      .catch((err: Error) => this.redis?.logger.warn({ err: { message: err.message } }, 'call event not published'));
  }

  subscribe(listener: (e: TenantCallEvent) => void): () => void {
    this.emitter.on('call', listener);
    return () => this.emitter.off('call', listener);
  }

  listeners(): number {
    return this.emitter.listenerCount('call');
  }
}
