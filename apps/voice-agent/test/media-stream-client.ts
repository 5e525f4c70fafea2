import WebSocket from 'ws';
import { FRAME_MS, SILENCE_FRAME, encodeSpeech, speechBytes } from '@recoup/testing';

type Held = { kind: 'audio'; payload: string } | { kind: 'mark'; name: string };

/**
 * A fake Twilio Media Streams client the test drives by hand: it sends `connected`/`start`, caller speech as 20 ms
 * mu-law frames, `dtmf` and `stop`; it holds the agent's audio and marks as Twilio's playback buffer does and plays
 * them only when told (`play`), echoing each mark as playback reaches it; `clear` drops what is held and echoes the
 * held marks, as Twilio does. So a test decides exactly what the caller has heard.
 */
export class MediaStreamClient {
  readonly ws: WebSocket;
  private readonly held: Held[] = [];
  /** Words of the agent audio played, per mark prefix (item id). */
  readonly heard = new Map<string, string>();
  readonly echoed: string[] = [];
  readonly flushed: string[] = [];
  clears = 0;
  closed = false;
  private seq = 0;
  private readonly streamSid = 'MZ' + Math.random().toString(16).slice(2).padEnd(32, '0');

  constructor(url: string, parameters: Record<string, string>) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('open', () => {
      this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      this.send({
        event: 'start',
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid,
          callSid: 'CA' + '1'.repeat(32),
          tracks: ['inbound'],
          customParameters: parameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    });
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { event: string; media?: { payload: string }; mark?: { name: string } };
      if (msg.event === 'media' && msg.media) this.held.push({ kind: 'audio', payload: msg.media.payload });
      else if (msg.event === 'mark' && msg.mark) this.held.push({ kind: 'mark', name: msg.mark.name });
      else if (msg.event === 'clear') {
        this.clears++;
        for (const h of this.held.splice(0)) if (h.kind === 'mark') this.echo(h.name, true);
      }
    });
    this.ws.on('close', () => (this.closed = true));
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ sequenceNumber: String(++this.seq), ...message }));
  }

  private echo(name: string, flushed = false): void {
    (flushed ? this.flushed : this.echoed).push(name);
    this.send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  /** Agent audio (bytes) waiting to be played. */
  get heldBytes(): number {
    return this.held.reduce((n, h) => n + (h.kind === 'audio' ? Buffer.from(h.payload, 'base64').length : 0), 0);
  }

  /** Plays held agent audio up to `bytes` (all by default), chunk by chunk, echoing each mark it reaches. */
  play(bytes = Infinity): void {
    let played = 0;
    for (let next = this.held[0]; next !== undefined; next = this.held[0]) {
      if (next.kind === 'mark') {
        this.held.shift();
        const item = next.name.slice(0, next.name.lastIndexOf(':'));
        this.heard.set(item, (this.heard.get(item) ?? '') + this.pendingWords);
        this.pendingWords = '';
        this.echo(next.name);
        continue;
      }
      const size = Buffer.from(next.payload, 'base64').length;
      if (played + size > bytes) break;
      this.held.shift();
      played += size;
      this.pendingWords += speechBytes(next.payload).toString('utf8');
    }
  }

  private pendingWords = '';

  /** The caller says `text` (2 characters a frame) followed by `silenceFrames` of silence (VAD hears the end). */
  say(text: string, silenceFrames = 6): void {
    for (const payload of [...encodeSpeech(text), ...Array<string>(silenceFrames).fill(SILENCE_FRAME)])
      this.send({
        event: 'media',
        streamSid: this.streamSid,
        media: { track: 'inbound', payload, timestamp: String(this.seq * FRAME_MS) },
      });
  }

  dtmf(digits: string): void {
    for (const digit of digits) this.send({ event: 'dtmf', streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
  }

  /** The caller hangs up. */
  stop(): void {
    this.send({ event: 'stop', streamSid: this.streamSid, stop: { callSid: 'CA' + '1'.repeat(32) } });
    this.ws.close(1000);
  }
}
