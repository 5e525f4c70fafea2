import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ChannelSubscription } from '@recoup/auth';
import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import type { CallBridge } from '../bridge/call-bridge';
import { CallRegistry, type MediaStreamsDeps } from '../bridge/media-streams';

/** The pub/sub channel of a stack's call legs (under QUEUE_PREFIX, so stacks sharing a Redis never cross). */
export function callLegChannel(queuePrefix: string): string {
  return `${queuePrefix}:voice:call-legs`;
}

/**
 * `joined`: a call's media stream joined a bridge on `replica`; `discarded`: Twilio said the call ended (or reached a
 * machine) on `replica`, which discards the call's leg wherever it is.
 */
const LegMessage = z.discriminatedUnion('event', [
  z.object({ event: z.literal('joined'), replica: z.string(), call_id: z.string() }),
  z.object({
    event: z.literal('discarded'),
    replica: z.string(),
    call_id: z.string(),
    reason: z.string(),
    hangup: z.boolean().optional(),
  }),
]);
type LegMessage = z.infer<typeof LegMessage>;

export interface CallLegsPubSub {
  /** Publishes: the service's fail-fast client connection. */
  publisher: Redis;
  /** A connection in subscriber mode (createRedis(url, 'worker')); never closed here. */
  subscriber: Redis;
  channel: string;
  logger: Logger;
}

/** The reason a pre-opened leg is let go with: the bridge treats an `openai…` end before the stream joined as abandoned. */
const RELEASED = 'openai leg released: the media stream joined another replica';
/** How long a call is remembered as joined or ended elsewhere (longer than any call rings and runs). */
const REMEMBER_MS = 15 * 60_000;

/**
 * The live calls of one replica among several. Twilio's webhooks and its media stream reach whichever replica the load
 * balancer picks, so the replica that pre-opened a call's Realtime leg (on `ringing`, or on the answer webhook) is
 * often not the one its media stream reaches. The stream's replica opens its own leg (CallRegistry.bridgeFor) and
 * says so over Redis; the others let their pre-opened leg go at once (no hang-up, no finalising: the call goes on
 * there). A `discard` (the call ended before its stream, or reached a machine) is applied on every replica, since the
 * replica that heard Twilio's status may not be the one holding the leg. On shutdown, legs pre-opened here whose stream
 * has not joined are let go first, so draining waits only for the calls bridged here.
 */
export class ReplicaCallRegistry extends CallRegistry {
  readonly replica = randomUUID();
  /** Calls whose stream joined here, and calls pre-opened here, by id, with when. */
  private readonly joinedHere = new Map<string, number>();
  private readonly preopened = new Map<string, number>();
  /** Calls joined or ended on another replica: a late `ringing` must not pre-open them again. */
  private readonly settledElsewhere = new Map<string, number>();
  /** Streams whose token is being checked here right now: their pre-opened leg is about to be joined, never released. */
  private readonly claiming: Set<string>;
  private readonly subscription: ChannelSubscription;

  constructor(
    deps: MediaStreamsDeps,
    private readonly legs: CallLegsPubSub,
  ) {
    const claiming = new Set<string>();
    super({
      ...deps,
      claimStream: async (callId, token) => {
        claiming.add(callId);
        try {
          return await deps.claimStream(callId, token);
        } finally {
          claiming.delete(callId);
        }
      },
    });
    this.claiming = claiming;
    this.subscription = new ChannelSubscription(
      legs.subscriber,
      legs.channel,
      {
        message: (raw) => {
          const parsed = LegMessage.safeParse(safeJson(raw));
          if (!parsed.success) return legs.logger.warn({ channel: legs.channel }, 'unreadable call-leg message ignored');
          if (parsed.data.replica !== this.replica) this.heard(parsed.data);
        },
        lost: () => undefined,
        heard: () => undefined,
      },
      legs.logger,
    );
  }

  /** Resolves once this replica hears the others (start-up, tests). */
  ready(): Promise<void> {
    return this.subscription.ready();
  }

  protected override bridgeFor(call: CallModel): CallBridge {
    const bridge = super.bridgeFor(call);
    remember(this.joinedHere, call.id);
    this.publish({ event: 'joined', replica: this.replica, call_id: call.id });
    return bridge;
  }

  override async prewarm(callId: string): Promise<void> {
    if (this.settledElsewhere.has(callId)) return;
    await super.prewarm(callId);
    if (this.get(callId) && !this.joinedHere.has(callId)) remember(this.preopened, callId);
  }

  override discard(callId: string, reason?: string, options: { hangup?: boolean } = {}): void {
    super.discard(callId, reason, options);
    this.publish({ event: 'discarded', replica: this.replica, call_id: callId, reason: reason ?? 'call ended', hangup: options.hangup });
  }

  override async drain(deadlineMs: number): Promise<void> {
    // A call pre-opened here but not joined goes on: its stream reaches a replica that is still ready.
    for (const callId of this.preopened.keys()) this.release(callId);
    await super.drain(deadlineMs);
    await this.subscription.close();
  }

  private heard(message: LegMessage): void {
    remember(this.settledElsewhere, message.call_id);
    if (message.event === 'joined') this.release(message.call_id);
    else super.discard(message.call_id, message.reason, message.hangup === undefined ? {} : { hangup: message.hangup });
  }

  /** Lets go of a leg pre-opened here whose stream is not (or no longer going to be) here. */
  private release(callId: string): void {
    this.preopened.delete(callId);
    if (this.joinedHere.has(callId) || this.claiming.has(callId)) return;
    const bridge = this.get(callId);
    if (!bridge || bridge.isEnded) return;
    this.legs.logger.info({ callId }, 'pre-opened realtime leg released: the call is bridged on another replica');
    bridge.end(RELEASED);
  }

  private publish(message: LegMessage): void {
    // Unheard, a joined leg elsewhere is let go when the call ends (its final status reaches every replica that way).
    this.legs.publisher
      .publish(this.legs.channel, JSON.stringify(message))
      .catch((err: Error) =>
        this.legs.logger.warn({ err: { message: err.message }, callId: message.call_id }, 'call-leg message not published'),
      );
  }
}

function remember(map: Map<string, number>, callId: string): void {
  const now = Date.now();
  map.set(callId, now);
  if (map.size % 100 === 0) for (const [id, at] of map) if (now - at > REMEMBER_MS) map.delete(id);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
