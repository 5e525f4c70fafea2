import { EventEmitter, once } from 'node:events';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';

export interface ChannelSubscriptionHandlers {
  /** A message on the channel. */
  message(text: string): void;
  /** The subscription was lost: what is published now does not reach this process. */
  lost(): void;
  /** The subscription is in place (at first, and again after a reconnection). */
  heard(): void;
}

/**
 * One Redis pub/sub channel on a subscriber connection that may be shared with other channels (createRedis(url,
 * 'worker'): it queues the SUBSCRIBE until connected, reconnects forever and re-subscribes). It says when messages can
 * and cannot be heard: pub/sub is at most once, so whoever caches on its messages must distrust the cache meanwhile.
 * The connection belongs to the caller.
 */
export class ChannelSubscription {
  private subscribed = false;
  private closed = false;
  private readonly events = new EventEmitter();
  private readonly detach: () => void;

  constructor(
    private readonly subscriber: Redis,
    readonly channel: string,
    private readonly handlers: ChannelSubscriptionHandlers,
    private readonly logger?: Logger,
  ) {
    this.events.setMaxListeners(0);
    const onMessage = (from: string, text: string) => {
      if (from === channel) handlers.message(text);
    };
    const onDown = () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      handlers.lost();
    };
    // ioredis re-subscribes on its own after a reconnection, before 'ready' reaches listeners; subscribing again here
    // (idempotent) tells us when the subscription is back in place.
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

  /** True while the subscription is in place: a message published now reaches this process. */
  get listening(): boolean {
    return this.subscribed && this.subscriber.status === 'ready';
  }

  /** Resolves once the subscription is in place (start-up, tests), or at once when closed. */
  async ready(): Promise<void> {
    if (this.listening || this.closed) return;
    await once(this.events, 'heard');
  }

  /** Stops listening; the connection stays open for its other users. */
  async close(): Promise<void> {
    this.closed = true;
    this.detach();
    this.events.emit('heard');
    const wasSubscribed = this.subscribed;
    this.subscribed = false;
    if (wasSubscribed && this.subscriber.status === 'ready') await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (err) {
      this.logger?.warn({ err: { message: (err as Error).message }, channel: this.channel }, 'subscribe failed (retried on reconnect)');
      return;
    }
    if (this.closed || this.subscribed || this.subscriber.status !== 'ready') return;
    this.subscribed = true;
    this.handlers.heard();
    this.events.emit('heard');
  }
}
