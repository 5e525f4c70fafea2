import { EventEmitter } from 'node:events';
import type { IvrCallEvent } from '@recoup/contracts';

export interface TenantCallEvent {
  tenantId: string;
  event: IvrCallEvent;
}

/** Call updates for the live stream (server-sent events). In-process: the webhooks and the stream share one service. */
export class CallEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(tenantId: string, event: IvrCallEvent): void {
    this.emitter.emit('call', { tenantId, event } satisfies TenantCallEvent);
  }

  subscribe(listener: (e: TenantCallEvent) => void): () => void {
    this.emitter.on('call', listener);
    return () => this.emitter.off('call', listener);
  }

  listeners(): number {
    return this.emitter.listenerCount('call');
  }
}
