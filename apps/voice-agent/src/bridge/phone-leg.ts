import type { WebSocket } from 'ws';

/** The phone socket's send buffer: above the first, agent chunks are dropped; above the second the leg is dead. */
const HIGH_WATER_BYTES = 256 * 1024;
const STALLED_BYTES = 1024 * 1024;

/**
 * What the bridge sends to Twilio's media stream: agent audio each followed by its mark, and `clear`. Messages are
 * built by concatenation (the per-chunk path); sent before the stream joins they wait in a backlog; after the caller
 * has gone nothing more is sent; a socket that cannot keep up drops chunks, and one that is hopelessly behind is closed.
 */
export class PhoneLeg {
  private ws: WebSocket | null = null;
  private streamSid = '';
  private backlog: string[] = [];
  private muted = false;
  droppedChunks = 0;

  constructor(private readonly onStalled: (bufferedBytes: number) => void) {}

  get attached(): boolean {
    return this.ws !== null;
  }

  attach(ws: WebSocket, streamSid: string): void {
    this.ws = ws;
    this.streamSid = streamSid;
    for (const m of this.backlog) ws.send(m);
    this.backlog = [];
  }

  /** Whether an agent chunk can be sent now; false (and counted) while the socket is behind. */
  acceptsAudio(): boolean {
    const ws = this.ws;
    if (!ws || ws.bufferedAmount <= HIGH_WATER_BYTES) return true;
    this.droppedChunks++;
    if (ws.bufferedAmount > STALLED_BYTES) {
      this.onStalled(ws.bufferedAmount);
      ws.terminate();
    }
    return false;
  }

  /** One agent chunk and the mark whose echo says it has played. */
  audio(payload: string, mark: string): void {
    this.send('{"event":"media","streamSid":"' + this.streamSid + '","media":{"payload":"' + payload + '"}}');
    this.send('{"event":"mark","streamSid":"' + this.streamSid + '","mark":{"name":"' + mark + '"}}');
  }

  /** Drop everything Twilio holds but has not played. */
  clear(): void {
    this.send('{"event":"clear","streamSid":"' + this.streamSid + '"}');
  }

  /** The caller has gone: nothing more is played. */
  mute(): void {
    this.muted = true;
  }

  /** Closes the stream (the call is over). */
  close(): void {
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.close(1000, 'call ended');
  }

  private send(message: string): void {
    if (this.muted) return;
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(message);
    else if (!ws) this.backlog.push(message);
  }
}
