import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import { ChannelSubscription } from './channel-subscription';

/** The pub/sub channel of a stack's tenant changes (under QUEUE_PREFIX, so stacks sharing a Redis never cross). */
export function tenantChangeChannel(queuePrefix: string): string {
  return `${queuePrefix}:auth:tenant-changes`;
}

export interface TenantChangesOptions {
  /** Publishes: the service's fail-fast client connection. */
  publisher: Redis;
  /** A connection in subscriber mode (createRedis(url, 'worker')), possibly shared with other subscribers; never closed here. */
  subscriber: Redis;
  /** tenantChangeChannel(QUEUE_PREFIX). */
  channel: string;
  logger?: Logger;
}

/**
 * A tenant's tier, limits or name changed: every process that caches tenants (the gateway's TenantDirectory,
 * ivr-negotiation's TenantLimitsDirectory) drops that tenant at once, whichever replica made the change. The listener
 * gets `null` when changes may have been missed (the subscription was lost or has just come back: pub/sub is at most
 * once), and should then forget every cached tenant. Only the tenant's id travels.
 */
export class TenantChanges {
  private readonly listeners = new Set<(tenantId: string | null) => void>();
  private generation = 0;
  private readonly subscription: ChannelSubscription;

  constructor(private readonly options: TenantChangesOptions) {
    this.subscription = new ChannelSubscription(
      options.subscriber,
      options.channel,
      {
        message: (tenantId) => {
          if (tenantId) this.emit(tenantId);
        },
        // Whatever changed while we were not listening is unknown: forget what was cached, on loss and on return.
        lost: () => this.emit(null),
        heard: () => this.emit(null),
      },
      options.logger,
    );
  }

  /** True while a change published now reaches this process: a cached tenant may be trusted for long. */
  get listening(): boolean {
    return this.subscription.listening;
  }

  /**
   * Changes whenever a cached tenant may have gone stale (a change was heard, the subscription was lost or regained):
   * a tenant read from PostgreSQL is trusted for long only if this did not change during the read.
   */
  get version(): number {
    return this.generation;
  }

  /** Resolves once the subscription is in place (start-up, tests). */
  ready(): Promise<void> {
    return this.subscription.ready();
  }

  /** Announces a change to every process of the stack (this one included); false if Redis did not take it. */
  async publish(tenantId: string): Promise<boolean> {
    try {
      await this.options.publisher.publish(this.options.channel, tenantId);
      return true;
    } catch (err) {
      // Committed in PostgreSQL: the other processes see it when their cache entry expires.
      this.options.logger?.error(
        { err: { message: (err as Error).message }, tenantId },
        'tenant change not announced to the other services',
      );
      return false;
    }
  }

  on(listener: (tenantId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscription.close();
  }

  private emit(tenantId: string | null): void {
    this.generation++;
    for (const listener of this.listeners) listener(tenantId);
  }
}
