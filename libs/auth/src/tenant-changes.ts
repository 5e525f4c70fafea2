import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';

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
  private subscribed = false;
  private closed = false;
  private generation = 0;
  private readonly detach: () => void;

  constructor(private readonly options: TenantChangesOptions) {
    const { subscriber, channel } = options;
    const onMessage = (from: string, tenantId: string) => {
      if (from === channel && tenantId) this.emit(tenantId);
    };
    const onDown = () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.emit(null);
    };
    const onReady = () => void this.subscribe();
    subscriber.on('message', onMessage);
    subscriber.on('close', onDown);
    subscriber.on('end', onDown);
    subscriber.on('ready', onReady);
    this.detach = () => {
      subscriber.off('message', onMessage);
      subscriber.off('close', onDown);
      subscriber.off('end', onDown);
      subscriber.off('ready', onReady);
    };
    void this.subscribe();
  }

  /** True while a change published now reaches this process: a cached tenant may be trusted for long. */
  get listening(): boolean {
    return this.subscribed && this.options.subscriber.status === 'ready';
  }

  /**
   * Changes whenever a cached tenant may have gone stale (a change was heard, the subscription was lost or regained):
   * a tenant read from PostgreSQL is trusted for long only if this did not change during the read.
   */
  get version(): number {
    return this.generation;
  }

  /** Resolves once the subscription is in place (start-up, tests). */
  async ready(): Promise<void> {
    if (this.closed) return;
    await this.options.subscriber.subscribe(this.options.channel);
    this.subscribed = this.options.subscriber.status === 'ready';
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
    this.closed = true;
    this.detach();
    this.listeners.clear();
    const wasSubscribed = this.subscribed;
    this.subscribed = false;
    if (wasSubscribed && this.options.subscriber.status === 'ready')
      await this.options.subscriber.unsubscribe(this.options.channel).catch(() => undefined);
  }

  private emit(tenantId: string | null): void {
    this.generation++;
    for (const listener of this.listeners) listener(tenantId);
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.options.subscriber.subscribe(this.options.channel);
    } catch (err) {
      this.options.logger?.warn({ err: { message: (err as Error).message } }, 'tenant changes: subscribe failed (retried on reconnect)');
      return;
    }
    if (this.closed || this.subscribed || this.options.subscriber.status !== 'ready') return;
    this.subscribed = true;
    // Whatever changed while we were not listening is unknown: forget what was cached.
    this.emit(null);
  }
}
