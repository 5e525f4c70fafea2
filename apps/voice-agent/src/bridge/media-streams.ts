import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { CallBridge, type BridgeDeps } from './call-bridge';

export const MEDIA_STREAM_PATH = '/media-stream';

export interface MediaStreamsDeps extends BridgeDeps {
  /** Authenticates (and burns) the per-call token from the stream's custom parameters. */
  claimStream(callId: string, token: string): Promise<CallModel | null>;
  loadCall(callId: string): Promise<CallModel | null>;
  /**
   * Checks X-Twilio-Signature of the WebSocket handshake (isSignedTwilioUpgrade of libs/providers/twilio):
   * an upgrade without a valid one is refused with 403 before any socket exists. The per-call token
   * in the start message is checked as well.
   */
  verifyUpgrade(req: IncomingMessage): boolean;
}

/**
 * The live calls of this process. A bridge is opened when the call starts ringing (so the Realtime
 * socket is ready when the callee answers) and joined by Twilio's media stream.
 */
export class CallRegistry {
  private readonly bridges = new Map<string, CallBridge>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  private accepting = true;

  constructor(private readonly deps: MediaStreamsDeps) {}

  get size(): number {
    return this.bridges.size;
  }

  get(callId: string): CallBridge | undefined {
    return this.bridges.get(callId);
  }

  private instructionsOf(call: CallModel): string {
    return String(
      (call.params as { instructions?: string } | null)?.instructions ?? 'You are a polite collections assistant. Speak British English.',
    );
  }

  private create(call: CallModel): CallBridge {
    const bridge: CallBridge = new CallBridge(call, this.instructionsOf(call), {
      ...this.deps,
      onEnded: async (callId, reason, result) => {
        if (this.bridges.get(callId) === bridge) this.bridges.delete(callId);
        await this.deps.onEnded(callId, reason, result);
      },
      onAbandoned: (callId) => {
        if (this.bridges.get(callId) === bridge) this.bridges.delete(callId);
      },
    });
    this.bridges.set(call.id, bridge);
    return bridge;
  }

  /**
   * The bridge a media stream joins: the one whose Realtime leg was pre-opened while the phone rang, else a new one
   * (the leg opened now; the caller's first words are buffered meanwhile). The one place a stream finds its leg.
   */
  protected bridgeFor(call: CallModel): CallBridge {
    return this.bridges.get(call.id) ?? this.create(call);
  }

  /** Opens the Realtime leg while the phone rings; caller audio is buffered until it is ready. */
  async prewarm(callId: string): Promise<void> {
    if (!this.accepting || this.bridges.has(callId)) return;
    const call = await this.deps.loadCall(callId);
    if (!call || call.kind !== 'ai' || call.endedAt || this.bridges.has(callId)) return;
    this.create(call);
  }

  /** The call ended before (or without) a media stream: drop its pre-opened Realtime leg. */
  discard(callId: string, reason = 'call ended before the stream', options: { hangup?: boolean } = {}): void {
    const bridge = this.bridges.get(callId);
    if (!bridge) return;
    // A hang-up of a connected call drains (the caller's last words still count); voicemail handling ends at once.
    if (options.hangup === undefined) bridge.callerGone(reason);
    else bridge.end(reason, options);
  }

  attach(server: Server, logger: Logger): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== MEDIA_STREAM_PATH) return; // another upgrade handler may own it
      if (!this.deps.verifyUpgrade(req)) {
        socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      if (!this.accepting) {
        socket.write('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onStream(ws, logger));
    });
  }

  /** Waits for Twilio's start message, checks the per-call token in its custom parameters, then joins the bridge. */
  private onStream(ws: WebSocket, logger: Logger): void {
    const timer = setTimeout(() => ws.close(1008, 'no start message'), 10_000);
    const onMessage = (data: Buffer) => {
      let msg: { event?: string; start?: { streamSid?: string; callSid?: string; customParameters?: Record<string, string> } };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return;
      }
      if (msg.event === 'connected') return;
      ws.off('message', onMessage);
      clearTimeout(timer);
      if (msg.event !== 'start' || !msg.start?.streamSid) {
        ws.close(1008, 'expected start');
        return;
      }
      const { streamSid, customParameters = {} } = msg.start;
      const callId = customParameters.call_id ?? '';
      void this.deps
        .claimStream(callId, customParameters.token ?? '')
        .then((call) => {
          if (!call || (call.providerCallSid && msg.start?.callSid && call.providerCallSid !== msg.start.callSid)) {
            logger.warn({ callId }, 'media stream refused: bad or reused token');
            ws.close(1008, 'unauthorised');
            return;
          }
          if (call.endedAt || call.outcome === 'voicemail') {
            ws.close(1000, 'call over');
            return;
          }
          this.bridgeFor(call).attachTwilio(ws, streamSid);
        })
        .catch(() => ws.close(1011, 'error'));
    };
    ws.on('message', onMessage);
    ws.once('close', () => clearTimeout(timer)); // a socket gone before its start message leaves no timer behind
  }

  /** Shutdown: refuse new streams, give live calls until the deadline, then close them. */
  async drain(deadlineMs: number): Promise<void> {
    this.accepting = false;
    const until = Date.now() + deadlineMs;
    // A bridge that has ended but is still being finalised (or whose end skipped the registry) holds nothing live:
    // waiting on it kept a draining replica up for the whole call limit and ended it with exit 1 (replica test).
    const live = () => [...this.bridges.values()].some((b) => !b.isEnded);
    while (live() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    for (const b of [...this.bridges.values()]) b.close();
    // ws 8's close() stops accepting but leaves open sockets: a media stream the phone side has not closed after its
    // call ended would hold the process until the shutdown deadline (exit 1). The calls are over: let them go.
    for (const socket of this.wss.clients) socket.terminate();
    this.wss.close();
  }
}
