import type { WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import {
  emptyUsage,
  type FunctionCall,
  type RealtimeSessionEvents,
  type RealtimeUsage,
  type RealtimeVoiceConnector,
  type RealtimeVoiceSession,
} from '@recoup/providers/realtime-voice';
import type { CallTools } from '../calls/call-tools';
import { COLLECTION_TOOLS } from '../calls/call-tools';
import { ConversationLog } from './conversation-log';
import { Keypad } from './keypad';
import { PlaybackTracker, heardText, type PlaybackItem } from './playback-tracker';

/** What the bridge knows at the end of a call that the call's record and cost need. */
export interface BridgeResult {
  /** Realtime token usage summed over every session of the call (response.done), for the cost. */
  usage: RealtimeUsage;
  /** Realtime sessions reopened after a drop (0 or 1). */
  reconnects: number;
  /** Caller frames dropped (pre-open buffer overflow or a socket that could not keep up) and agent chunks dropped. */
  droppedAudioFrames: number;
  /** Digits the caller keyed, in order. */
  keyed: string[];
}

export interface BridgeDeps {
  connector: RealtimeVoiceConnector;
  tools: CallTools;
  logger: Logger;
  voice: string;
  maxCallSeconds: number;
  /** Stores one transcript turn (off the per-frame path). An agent turn is what the caller heard of the item. */
  saveTurn(callId: string, speaker: 'ai' | 'user', text: string, itemId: string): Promise<void>;
  /** Both legs are down: finalise the Call row (with the usage for its cost). */
  onEnded(callId: string, reason: string, result: BridgeResult): Promise<void>;
  /** The Realtime leg opened while ringing failed before the phone joined: forget it (the stream will open a new one). */
  onAbandoned?(callId: string, reason: string): void;
  /** Ends the phone call itself (REST hang-up), by our call id. */
  hangup(callId: string): Promise<void>;
  /**
   * The agent cannot go on (the Realtime leg dropped twice): have Twilio say `text` and hang up (a call update with
   * `<Say>` + `<Hangup/>`). Without it the call is simply hung up.
   */
  sayAndHangUp?(callId: string, text: string): Promise<void>;
  /**
   * A key the caller pressed (Twilio `dtmf`), before the model hears of it: the tool layer's hook (identity digits,
   * "press 0 for a person"). Returning true keeps the key from the model (the hook acted on it).
   */
  onDtmf?(call: CallModel, digit: string, bridge: CallBridge): boolean | void;
}

/** How long a hung-up call's Realtime leg may stay to finish the caller's last words (transcription, tool calls). */
const DRAIN_MAX_MS = 3_000;
/**
 * And at least this long: the caller's last frames may still be on their way to OpenAI, whose VAD has then not yet
 * said they were speaking (audio in flight, not a quiet heuristic: every wait after it is for events).
 */
const DRAIN_MIN_MS = 400;
/** The model is told to wrap up this long before the call's time limit. */
const WRAP_UP_SECONDS = 15;
/** Longest wait for the agent's goodbye to play after end_call, beyond the audio already sent. */
const GOODBYE_MAX_MS = 15_000;
/** The phone socket's send buffer: above the first, agent chunks are dropped; above the second the leg is dead. */
const TWILIO_HIGH_WATER_BYTES = 256 * 1024;
const TWILIO_STALLED_BYTES = 1024 * 1024;

export const RECONNECT_NOTE =
  'The connection to the assistant dropped for a moment and was restored. The conversation so far is above. ' +
  'Apologise briefly for the interruption and carry on from where the call was.';
export const WRAP_UP_NOTE =
  'About 15 seconds of this call remain. Wrap up now: confirm anything agreed in one sentence, say goodbye and end the call.';
export const APOLOGY = 'Sorry, we are having technical difficulties and have to end this call. We will be in touch again soon. Goodbye.';

/** Decoded length of a base64 string without decoding it. */
function base64Bytes(b64: string): number {
  const len = b64.length;
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return ((len * 3) >> 2) - pad;
}

/**
 * One call: Twilio Media Streams <-> OpenAI Realtime (GA), mu-law passed through untouched. All state is per
 * instance, so calls never share anything. Playback (marks, barge-in cuts) is the PlaybackTracker's; one response
 * at a time is the session's sequencer's; this class wires them to the two sockets, the tools and the record.
 */
export class CallBridge {
  private twilio: WebSocket | null = null;
  private streamSid = '';
  private session: RealtimeVoiceSession;
  /** Bumped per Realtime session: events of a replaced session are ignored. */
  private sessionGeneration = 0;
  private readonly playback = new PlaybackTracker();
  private readonly log = new ConversationLog();
  private readonly logger: Logger;
  private readonly keypad: Keypad;
  private readonly keyed: string[] = [];
  private usageBefore: RealtimeUsage = emptyUsage();
  private droppedBefore = 0;
  private droppedAgentChunks = 0;
  private reconnects = 0;
  private outboundBacklog: string[] = [];
  /** end_call: the call ends once the final response has played. */
  private ending = false;
  private ended = false;
  /** The caller hung up: the Realtime leg is kept briefly so their last words still count. */
  private draining = false;
  private drainReason?: string;
  private drainMinPassed = false;
  /** The caller started a turn that has not been committed yet (VAD has not heard its end). */
  private callerSpeaking = false;
  /** We committed the caller's turn and wait for the server to say which item it became. */
  private awaitingCommit = false;
  private readonly pendingTranscriptions = new Set<string>();
  private toolsInFlight = 0;
  private readonly toolRuns: Promise<void>[] = [];
  /** Transcript writes of this call, in order. */
  private turnWrites: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly call: CallModel,
    private readonly instructions: string,
    private readonly deps: BridgeDeps,
  ) {
    this.logger = deps.logger.child({ callId: call.id });
    this.keypad = new Keypad((digits, terminator) => this.onKeyed(digits, terminator));
    this.session = this.openSession();
  }

  private openSession(): RealtimeVoiceSession {
    const generation = ++this.sessionGeneration;
    const live = () => generation === this.sessionGeneration && !this.ended;
    const events: RealtimeSessionEvents = {
      audio: (itemId, payload, responseId) => {
        if (live()) this.onAgentAudio(itemId, payload, responseId);
      },
      audioDone: (itemId, responseId) => {
        if (!live()) return;
        const played = this.playback.audioDone(itemId, responseId);
        if (played) this.onItemPlayed(played);
      },
      speechStarted: () => {
        if (!live()) return;
        this.callerSpeaking = true;
        // Their last frames reached VAD after they hung up: no silence will follow, so end the turn now.
        if (this.draining) this.commitCallerTurn();
        else this.onSpeechStarted();
      },
      speechStopped: () => {
        if (live()) this.callerSpeaking = false;
      },
      inputCommitted: (itemId) => {
        if (!live()) return;
        this.callerSpeaking = false;
        this.awaitingCommit = false;
        this.pendingTranscriptions.add(itemId);
      },
      userTranscript: (itemId, text) => {
        if (!live()) return;
        this.pendingTranscriptions.delete(itemId);
        this.callerSpeaking = false;
        if (text) {
          this.log.add('user', text);
          this.writeTurn(() => this.deps.saveTurn(this.call.id, 'user', text, itemId));
        }
        this.settleCheck();
      },
      transcriptionFailed: (itemId, message) => {
        if (!live()) return;
        this.pendingTranscriptions.delete(itemId);
        this.callerSpeaking = false;
        this.logger.warn({ itemId, message }, 'caller turn could not be transcribed');
        this.writeTurn(() => this.deps.saveTurn(this.call.id, 'user', '[inaudible: not transcribed]', itemId));
        this.settleCheck();
      },
      agentTranscriptDelta: (itemId, delta) => {
        if (live()) this.playback.transcriptDelta(itemId, delta);
      },
      agentTranscript: (itemId, text) => {
        if (live()) this.storeAgentTurn(this.playback.transcriptDone(itemId, text));
      },
      functionCall: (fc) => {
        if (live()) this.onFunctionCall(fc);
      },
      responseDone: () => {
        if (live()) queueMicrotask(() => this.settleCheck()); // after the sequencer has seen it too
      },
      error: (message, code) => {
        if (!live()) return;
        if (code === 'input_audio_buffer_commit_empty') {
          this.awaitingCommit = false;
          this.settleCheck();
        }
        this.logger.warn({ code, message }, 'realtime error');
      },
      closed: (reason) => {
        if (generation === this.sessionGeneration) this.onRealtimeClosed(reason);
      },
    };
    return this.deps.connector.open(
      {
        instructions: this.instructions,
        tools: COLLECTION_TOOLS,
        voice: this.deps.voice,
        vad: { threshold: 0.6, silenceDurationMs: 500, prefixPaddingMs: 300 },
      },
      events,
    );
  }

  private writeTurn(write: () => Promise<void>): void {
    this.turnWrites = this.turnWrites.then(write).catch((e: Error) => this.logger.warn({ err: { message: e.message } }, 'turn not saved'));
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
    const max = this.deps.maxCallSeconds;
    this.timer(() => this.end(`reached the ${max} s limit`), max * 1000);
    this.timer(() => this.wrapUp(), Math.max(0, max - WRAP_UP_SECONDS) * 1000);
    // Outbound call: the agent speaks first (recording notice, who is calling).
    this.session.requestResponse();
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
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
    let msg: { event?: string; media?: { payload?: string }; mark?: { name?: string }; dtmf?: { digit?: string } };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    switch (msg.event) {
      case 'media':
        if (msg.media?.payload) this.session.appendAudio(msg.media.payload);
        break;
      case 'mark': {
        const played = msg.mark?.name ? this.playback.markPlayed(msg.mark.name) : null;
        if (played) this.onItemPlayed(played);
        break;
      }
      case 'dtmf':
        if (msg.dtmf?.digit) this.onDtmf(msg.dtmf.digit);
        break;
      case 'stop':
        this.drain('caller hung up');
        break;
      default:
        break;
    }
  }

  /** Downlink hot path: agent audio to Twilio, then a mark naming the item and the bytes sent so far. */
  private onAgentAudio(itemId: string, payload: string, responseId?: string): void {
    if (this.draining || this.playback.isDiscarded(itemId, responseId)) return; // late audio of an interrupted response
    const ws = this.twilio;
    if (ws && ws.bufferedAmount > TWILIO_HIGH_WATER_BYTES) {
      // The phone leg cannot keep up: drop the chunk before it counts as sent, or end a leg that is dead.
      this.droppedAgentChunks++;
      if (ws.bufferedAmount > TWILIO_STALLED_BYTES) {
        this.logger.warn({ buffered: ws.bufferedAmount }, 'phone leg stalled');
        ws.terminate();
      }
      return;
    }
    const mark = this.playback.audioSent(itemId, base64Bytes(payload), responseId);
    if (mark === null) return;
    this.sendTwilio('{"event":"media","streamSid":"' + this.streamSid + '","media":{"payload":"' + payload + '"}}');
    this.sendTwilio('{"event":"mark","streamSid":"' + this.streamSid + '","mark":{"name":"' + mark + '"}}');
  }

  /** An item's audio has all played: its turn can be stored, and a pending end_call may now hang up. */
  private onItemPlayed(item: PlaybackItem): void {
    this.storeAgentTurn(item);
    this.settleCheck();
  }

  /**
   * Stores what the caller heard of an agent item, once: the whole transcript when it all played, the part that
   * played (cut in proportion) marked [interrupted] when the caller cut it short. An item cut after it was fully
   * generated waits for its final transcript.
   */
  private storeAgentTurn(item: PlaybackItem, final = false): void {
    if (item.settled) return;
    let text: string;
    if (item.interrupted) {
      if (!item.transcriptDone && item.audioDone && !final) return;
      const heard = heardText(item);
      text = heard ? `${heard} [interrupted]` : '';
    } else if (this.playback.hasPlayed(item) && item.transcriptDone) {
      text = item.transcript.trim();
    } else if (final) {
      const heard = heardText(item);
      text = heard && item.playedBytes < item.sentBytes ? `${heard} [interrupted]` : heard;
    } else return;
    this.playback.settle(item);
    if (!text) return;
    this.log.add('assistant', text);
    const itemId = item.itemId;
    this.writeTurn(() => this.deps.saveTurn(this.call.id, 'ai', text, itemId));
  }

  /** Barge-in: stop playback now, cancel generation, and cut every item still playing at what was actually heard. */
  private onSpeechStarted(): void {
    if (this.draining) return;
    const responding = this.session.responding;
    const cuts = this.playback.interrupt(this.session.activeResponseId);
    if (this.session.activeResponseId) this.session.cancelResponse();
    if (cuts.length === 0) return;
    this.sendTwilio('{"event":"clear","streamSid":"' + this.streamSid + '"}');
    for (const cut of cuts) {
      this.session.truncate(cut.item.itemId, cut.audioEndMs);
      this.storeAgentTurn(cut.item);
    }
    this.logger.debug({ cuts: cuts.map((c) => [c.item.itemId, c.audioEndMs]), responding }, 'barge-in');
  }

  private onDtmf(digit: string): void {
    if (this.ended || this.draining) return;
    this.keyed.push(digit);
    if (this.deps.onDtmf?.(this.call, digit, this) === true) return;
    this.keypad.press(digit);
  }

  /** A keyed sequence reaches the model as the caller's words, and is in the transcript. */
  private onKeyed(digits: string, terminator: string | null): void {
    if (this.ended || this.draining) return;
    const keys = [...digits].join(' ');
    const text = digits
      ? `[The caller keyed ${keys} on the phone keypad${terminator ? ` then ${terminator}` : ''}]`
      : `[The caller pressed ${terminator} on the phone keypad]`;
    this.tellAgent(text, 'user');
    this.writeTurn(() => this.deps.saveTurn(this.call.id, 'user', text, `dtmf:${this.keyed.length}`));
  }

  /**
   * Adds a message to the conversation and asks for a response (sequenced: after any active one). For the tool
   * layer too (e.g. after a DTMF hook acted).
   */
  tellAgent(text: string, role: 'user' | 'system' = 'system'): void {
    if (this.ended || this.draining) return;
    this.log.add(role, text);
    this.session.addMessage({ role, text });
    this.session.requestResponse();
  }

  private onFunctionCall(fc: FunctionCall): void {
    this.toolsInFlight++;
    const run = (async () => {
      const result = await this.deps.tools.run(this.call, fc.name, fc.arguments, fc.callId);
      this.log.add('system', `Tool ${fc.name} was called: ${result.ok ? 'done' : 'refused'}: ${result.message}`);
      if (this.ended) return;
      this.session.sendToolResult(fc.callId, { ok: result.ok, message: result.message }, !result.endCall || fc.name !== 'end_call');
      if (result.endCall) this.endAfterPlayback();
    })()
      .catch((err: Error) => this.logger.warn({ err: { message: err.message }, tool: fc.name }, 'tool call failed'))
      .finally(() => {
        this.toolsInFlight--;
        this.settleCheck();
      });
    this.toolRuns.push(run);
  }

  /** end_call (or a tool that ends the call): hang up once the final response has been generated and has played. */
  private endAfterPlayback(): void {
    if (this.ending) return;
    this.ending = true;
    // A bound, never the normal path: the goodbye gets the audio already sent plus a generous margin.
    this.timer(() => this.end('agent ended the call (goodbye not confirmed played)'), this.playback.unplayedMs + GOODBYE_MAX_MS);
    this.settleCheck();
  }

  /** Ends the call when what it waits for is done: a goodbye fully played (end_call), or a hung-up caller's last words. */
  private settleCheck(): void {
    if (this.ended) return;
    const quiet = this.session.settled && this.toolsInFlight === 0;
    if (this.draining) {
      const heard = !this.callerSpeaking && !this.awaitingCommit && this.pendingTranscriptions.size === 0;
      if (quiet && heard && this.drainMinPassed) this.end(this.drainReason ?? 'caller hung up');
    } else if (this.ending && quiet && this.playback.idle) this.end('agent ended the call');
  }

  /** 15 s before the call's limit: the model is told to wrap up (its response follows any in progress). */
  private wrapUp(): void {
    if (this.ending || this.draining) return;
    this.tellAgent(WRAP_UP_NOTE);
  }

  /**
   * The caller hung up: what they said last may still be on its way through the Realtime leg (its transcription, a
   * tool call such as record_dispute and its effects). Keep that leg until those are done, at most DRAIN_MAX_MS.
   */
  private drain(reason: string): void {
    if (this.ended || this.draining) return;
    this.draining = true;
    this.drainReason = reason;
    this.keypad.flush();
    // Whatever was playing was heard up to its last mark.
    for (const cut of this.playback.interrupt(this.session.activeResponseId)) this.storeAgentTurn(cut.item);
    // They hung up mid-sentence: VAD will never hear the silence after it. End their turn now and have the model answer
    // it (the reply is not played; its tool calls, such as record_dispute, count).
    if (this.callerSpeaking) this.commitCallerTurn();
    this.timer(() => this.end(reason), DRAIN_MAX_MS);
    this.timer(() => {
      this.drainMinPassed = true;
      this.settleCheck();
    }, DRAIN_MIN_MS);
  }

  /** Ends the caller's turn without VAD (they hung up mid-sentence) and asks the model to answer it. */
  private commitCallerTurn(): void {
    this.callerSpeaking = false;
    this.awaitingCommit = true;
    this.session.commitAudio();
    this.session.requestResponse();
  }

  /** The Realtime leg closed: once per call it is reopened with the conversation so far; otherwise the call ends. */
  private onRealtimeClosed(reason: string): void {
    if (this.ended) return;
    if (this.draining) return this.end(this.drainReason ?? reason);
    if (!this.twilio || this.ending || this.reconnects >= 1) return this.fail(`openai leg closed (${reason})`);
    this.reconnects++;
    this.logger.warn({ reason }, 'realtime leg dropped: reconnecting with the conversation so far');
    this.usageBefore = addUsage(this.usageBefore, this.session.usage);
    this.droppedBefore += this.session.droppedAudioFrames;
    // What was playing stays what it was (heard up to its last mark); the new session starts from silence.
    const cuts = this.playback.interrupt(this.session.activeResponseId);
    if (cuts.length > 0) this.sendTwilio('{"event":"clear","streamSid":"' + this.streamSid + '"}');
    for (const cut of cuts) this.storeAgentTurn(cut.item, true);
    this.callerSpeaking = false;
    this.awaitingCommit = false;
    this.pendingTranscriptions.clear();
    this.session = this.openSession();
    for (const message of this.log.replay()) this.session.addMessage(message);
    this.session.addMessage({ role: 'system', text: RECONNECT_NOTE });
    this.session.requestResponse();
  }

  /** The agent cannot go on: the caller hears an apology from Twilio (if it can say one) and the call ends cleanly. */
  private fail(reason: string): void {
    if (!this.twilio || !this.deps.sayAndHangUp) return this.end(reason);
    const say = this.deps.sayAndHangUp;
    this.end(reason, { hangup: false, closeStream: false });
    void say(this.call.id, APOLOGY).catch(async (err: Error) => {
      this.logger.warn({ err: { message: err.message } }, 'apology not played; hanging up');
      await this.deps.hangup(this.call.id).catch(() => undefined);
    });
  }

  get result(): BridgeResult {
    return {
      usage: addUsage(this.usageBefore, this.session.usage),
      reconnects: this.reconnects,
      droppedAudioFrames: this.droppedBefore + this.session.droppedAudioFrames + this.droppedAgentChunks,
      keyed: [...this.keyed],
    };
  }

  /**
   * Either leg closing ends both, once, and finalises the record. `hangup: false` leaves the phone call to new TwiML
   * (voicemail, the apology); `closeStream: false` leaves the media stream for that TwiML to end.
   */
  end(reason: string, options: { hangup?: boolean; closeStream?: boolean } = {}): void {
    if (this.ended) return;
    if (!this.twilio && reason.startsWith('openai') && this.deps.onAbandoned) {
      // Only the pre-opened Realtime leg failed: the call itself goes on, and its stream will try afresh.
      this.ended = true;
      this.logger.warn({ reason }, 'realtime leg opened while ringing failed; the stream will open another');
      this.session.close();
      this.deps.onAbandoned(this.call.id, reason);
      return;
    }
    this.keypad.flush();
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    this.keypad.dispose();
    for (const item of this.playback.unsettled()) this.storeAgentTurn(item, true);
    this.logger.info({ reason }, 'call bridge closed');
    const result = this.result;
    this.session.close();
    const ws = this.twilio;
    if (options.closeStream !== false && ws && ws.readyState === ws.OPEN) ws.close(1000, 'call ended');
    void (async () => {
      await Promise.allSettled(this.toolRuns);
      await this.turnWrites;
      if (options.hangup !== false) await this.deps.hangup(this.call.id).catch(() => undefined);
      await this.deps.onEnded(this.call.id, reason, result);
    })().catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'could not finalise the call'));
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

function addUsage(a: RealtimeUsage, b: RealtimeUsage): RealtimeUsage {
  const sum = emptyUsage();
  for (const k of Object.keys(sum) as Array<keyof RealtimeUsage>) sum[k] = a[k] + b[k];
  return sum;
}
