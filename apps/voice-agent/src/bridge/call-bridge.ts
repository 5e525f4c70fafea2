import type { WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { FunctionCall, RealtimeVoiceConnector, RealtimeVoiceSession } from '@recoup/providers/realtime-voice';
import type { CallTools } from '../calls/call-tools';
import { COLLECTION_TOOLS } from '../calls/call-tools';

export interface BridgeDeps {
  connector: RealtimeVoiceConnector;
  tools: CallTools;
  logger: Logger;
  voice: string;
  maxCallSeconds: number;
  /** Stores one transcript turn (off the per-frame path). */
  saveTurn(callId: string, speaker: 'ai' | 'user', text: string, itemId: string): Promise<void>;
  /** The caller cut this agent item short: its stored turn says so (the text was not all heard). */
  markInterrupted?(callId: string, itemId: string): Promise<void>;
  /** Both legs are down: finalise the Call row. */
  onEnded(callId: string, reason: string): Promise<void>;
  /** The Realtime leg opened while ringing failed before the phone joined: forget it (the stream will open a new one). */
  onAbandoned?(callId: string, reason: string): void;
  /** Ends the phone call itself (REST hang-up), by our call id. */
  hangup(callId: string): Promise<void>;
}

/** How long a hung-up call's Realtime leg may stay to finish the caller's last words, and the quiet that ends it sooner. */
const DRAIN_MAX_MS = 3_000;
const DRAIN_QUIET_MS = 600;

/** Decoded length of a base64 string without decoding it. */
function base64Bytes(b64: string): number {
  const len = b64.length;
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return ((len * 3) >> 2) - pad;
}

/**
 * One call: Twilio Media Streams <-> OpenAI Realtime (GA), mu-law passed through untouched. All state
 * is per instance, so calls never share anything. Barge-in follows Twilio mark acknowledgements:
 * each agent chunk is followed by a mark "<item>:<bytes sent>"; the echo says that much has played.
 */
export class CallBridge {
  private twilio: WebSocket | null = null;
  private streamSid = '';
  private session: RealtimeVoiceSession;
  private readonly sent = new Map<string, number>();
  private readonly played = new Map<string, number>();
  private readonly interrupted = new Set<string>();
  private currentItem: string | null = null;
  private ending = false;
  private ended = false;
  private endTimer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  private outboundBacklog: string[] = [];
  private readonly log: Logger;
  private readonly toolQueue: Promise<void>[] = [];
  /** Transcript writes of this call, in order (a turn is saved before it can be marked interrupted). */
  private turnWrites: Promise<void> = Promise.resolve();
  /** The caller has hung up: the Realtime leg is kept briefly so their last words still count (see drain). */
  private draining = false;
  private drainReason?: string;
  /** The caller started a turn that has not been transcribed yet (VAD has not heard its end). */
  private callerSpeaking = false;
  private lastRealtimeEventAt = Date.now();
  private drainTimers: NodeJS.Timeout[] = [];

  constructor(
    readonly call: CallModel,
    private readonly instructions: string,
    private readonly deps: BridgeDeps,
  ) {
    this.log = deps.logger.child({ callId: call.id });
    this.session = deps.connector.open(
      { instructions, tools: COLLECTION_TOOLS, voice: deps.voice, vad: { threshold: 0.6, silenceDurationMs: 500, prefixPaddingMs: 300 } },
      {
        audio: (itemId, payload) => {
          this.lastRealtimeEventAt = Date.now();
          this.onAgentAudio(itemId, payload);
        },
        speechStarted: () => {
          this.lastRealtimeEventAt = Date.now();
          this.callerSpeaking = true;
          this.onSpeechStarted();
        },
        userTranscript: (itemId, text) => {
          this.lastRealtimeEventAt = Date.now();
          this.callerSpeaking = false;
          this.writeTurn(() => this.deps.saveTurn(call.id, 'user', text, itemId));
        },
        agentTranscript: (itemId, text) => {
          this.lastRealtimeEventAt = Date.now();
          this.writeTurn(() => this.deps.saveTurn(call.id, 'ai', this.interrupted.has(itemId) ? `${text} [interrupted]` : text, itemId));
        },
        functionCall: (fc) => {
          this.lastRealtimeEventAt = Date.now();
          this.onFunctionCall(fc);
        },
        error: (message, code) => this.log.warn({ code, message }, 'realtime error'),
        // While draining a hung-up call the cause of the end is still the caller's hang-up.
        closed: (reason) => this.end(this.drainReason ?? `openai leg closed (${reason})`),
      },
    );
  }

  private writeTurn(write: () => Promise<void>): void {
    this.turnWrites = this.turnWrites.then(write).catch((e: Error) => this.log.warn({ err: { message: e.message } }, 'turn not saved'));
  }

  /** The phone leg: Twilio's media WebSocket, after its start message was authenticated. */
  attachTwilio(ws: WebSocket, streamSid: string): void {
    if (this.ended) {
      ws.close(1000, 'call over');
      return;
    }
    this.twilio = ws;
    this.streamSid = streamSid;
    ws.on('message', (data) => this.onTwilioMessage(data.toString()));
    ws.on('close', () => this.drain('twilio leg closed'));
    ws.on('error', () => this.drain('twilio leg error'));
    for (const m of this.outboundBacklog) ws.send(m);
    this.outboundBacklog = [];
    this.maxTimer = setTimeout(() => this.end(`reached the ${this.deps.maxCallSeconds} s limit`), this.deps.maxCallSeconds * 1000);
    this.maxTimer.unref();
    // Outbound call: the agent speaks first (recording notice, who is calling).
    this.session.createResponse();
  }

  private sendTwilio(message: string): void {
    if (this.draining) return; // nothing more can be played to a caller who has gone
    const ws = this.twilio;
    if (ws && ws.readyState === ws.OPEN) ws.send(message);
    else if (!ws) this.outboundBacklog.push(message);
  }

  /** Uplink hot path: a 20 ms caller frame goes to Realtime as input_audio_buffer.append. */
  private onTwilioMessage(raw: string): void {
    if (raw.charCodeAt(10) === 109 && raw.startsWith('{"event":"media"')) {
      const at = raw.indexOf('"payload":"');
      if (at > 0) {
        const start = at + 11;
        this.session.appendAudio(raw.slice(start, raw.indexOf('"', start)));
        return;
      }
    }
    let msg: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    switch (msg.event) {
      case 'media':
        if (msg.media?.payload) this.session.appendAudio(msg.media.payload);
        break;
      case 'mark':
        if (msg.mark?.name) this.onMark(msg.mark.name);
        break;
      case 'stop':
        this.drain('caller hung up');
        break;
      default:
        break;
    }
  }

  /** Downlink hot path: agent audio to Twilio, then a mark naming the item and the bytes sent so far. */
  private onAgentAudio(itemId: string, payload: string): void {
    if (this.interrupted.has(itemId) || this.ended) return; // late audio of an interrupted response
    const total = (this.sent.get(itemId) ?? 0) + base64Bytes(payload);
    this.sent.set(itemId, total);
    this.currentItem = itemId;
    this.sendTwilio('{"event":"media","streamSid":"' + this.streamSid + '","media":{"payload":"' + payload + '"}}');
    this.sendTwilio('{"event":"mark","streamSid":"' + this.streamSid + '","mark":{"name":"' + itemId + ':' + total + '"}}');
  }

  private onMark(name: string): void {
    const at = name.lastIndexOf(':');
    if (at < 0) return;
    const itemId = name.slice(0, at);
    // Marks Twilio flushes after a clear belong to the interrupted item: they were never heard.
    if (this.interrupted.has(itemId)) return;
    const bytes = Number(name.slice(at + 1));
    if (bytes > (this.played.get(itemId) ?? 0)) this.played.set(itemId, bytes);
    if (this.ending && this.allPlayed()) this.finishEnding();
  }

  private allPlayed(): boolean {
    const item = this.currentItem;
    return !item || (this.played.get(item) ?? 0) >= (this.sent.get(item) ?? 0);
  }

  /** Barge-in: stop playback now, cancel generation, and cut the item at what was actually heard. */
  private onSpeechStarted(): void {
    const item = this.currentItem;
    const responding = this.session.responding;
    if (responding) this.session.cancelResponse();
    if (!item) return;
    const sent = this.sent.get(item) ?? 0;
    const played = this.played.get(item) ?? 0;
    // Everything sent was heard and nothing more is coming: nothing to cut.
    if (played >= sent && !responding) return;
    this.sendTwilio('{"event":"clear","streamSid":"' + this.streamSid + '"}');
    this.interrupted.add(item);
    this.currentItem = null;
    // mu-law 8 kHz: 8 bytes per millisecond.
    this.session.truncate(item, played / 8);
    const mark = this.deps.markInterrupted;
    if (mark) this.writeTurn(() => mark(this.call.id, item));
  }

  private onFunctionCall(fc: FunctionCall): void {
    const run = (async () => {
      const result = await this.deps.tools.run(this.call, fc.name, fc.arguments, fc.callId);
      if (this.ended) return;
      this.session.sendToolResult(fc.callId, { ok: result.ok, message: result.message }, !result.endCall || fc.name !== 'end_call');
      if (result.endCall) this.endAfterPlayback();
    })().catch((err: Error) => this.log.warn({ err: { message: err.message }, tool: fc.name }, 'tool call failed'));
    this.toolQueue.push(run);
    void run.finally(() => this.toolsSettledCount++);
  }

  /** Let the goodbye play out (marks acknowledged), then hang up; at most a few seconds. */
  private endAfterPlayback(): void {
    if (this.ending) return;
    this.ending = true;
    this.endTimer = setTimeout(() => this.finishEnding(), 6_000);
    this.endTimer.unref();
    // Give the agent a moment to say goodbye before deciding all was played.
    setTimeout(() => {
      if (this.allPlayed() && !this.session.responding) this.finishEnding();
    }, 1_500).unref();
  }

  private finishEnding(): void {
    this.end('agent ended the call');
  }

  /**
   * The caller hung up: what they said last may still be on its way through the Realtime leg (its transcription, a
   * tool call such as record_dispute). Keep that leg until it has been quiet for a moment with no response or tool
   * in flight, at most DRAIN_MAX_MS, then end: a dispute stated just before hanging up is recorded and acted on.
   */
  private drain(reason: string): void {
    if (this.ended || this.draining) return;
    this.draining = true;
    this.drainReason = reason;
    // They hung up mid-sentence: VAD will never hear the silence after it. End their turn now and let the model
    // answer it once no response is active (its reply is not played; its tool calls, such as record_dispute, count).
    let replyAsked = !this.callerSpeaking;
    if (this.callerSpeaking) this.session.commitAudio();
    this.lastRealtimeEventAt = Date.now();
    const finish = () => this.end(reason);
    this.drainTimers.push(setTimeout(finish, DRAIN_MAX_MS));
    const check = setInterval(() => {
      if (!replyAsked) {
        if (this.session.responding) return;
        replyAsked = true;
        this.session.createResponse();
        this.lastRealtimeEventAt = Date.now();
        return;
      }
      const quiet = Date.now() - this.lastRealtimeEventAt >= DRAIN_QUIET_MS;
      if (quiet && !this.session.responding && this.toolsSettled) finish();
    }, 100);
    this.drainTimers.push(check);
    for (const t of this.drainTimers) t.unref();
  }

  private toolsSettledCount = 0;
  private get toolsSettled(): boolean {
    return this.toolsSettledCount >= this.toolQueue.length;
  }

  /** Either leg closing ends both, once, and finalises the record. `hangup: false` leaves the phone call to new TwiML (voicemail). */
  end(reason: string, options: { hangup?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.twilio && reason.startsWith('openai') && this.deps.onAbandoned) {
      // Only the pre-opened Realtime leg failed: the call itself goes on, and its stream will try afresh.
      this.log.warn({ reason }, 'realtime leg opened while ringing failed; the stream will open another');
      this.session.close();
      this.deps.onAbandoned(this.call.id, reason);
      return;
    }
    clearTimeout(this.endTimer);
    clearTimeout(this.maxTimer);
    for (const t of this.drainTimers) clearTimeout(t);
    this.log.info({ reason }, 'call bridge closed');
    this.session.close();
    const ws = this.twilio;
    if (ws && ws.readyState === ws.OPEN) ws.close(1000, 'call ended');
    void (async () => {
      await Promise.allSettled(this.toolQueue);
      await this.turnWrites;
      if (options.hangup !== false) await this.deps.hangup(this.call.id).catch(() => undefined);
      await this.deps.onEnded(this.call.id, reason);
    })().catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'could not finalise the call'));
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Twilio says the call is over (status callback): if the caller was connected, their last words may still be in
   * flight, so drain as on the stream's stop; a call that never connected ends at once.
   */
  callerGone(reason: string): void {
    if (this.twilio) this.drain(reason);
    else this.end(reason);
  }

  /** Shutdown: close the call now. */
  close(): void {
    this.end('service shutting down');
  }
}
