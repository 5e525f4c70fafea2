import type { WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import {
  emptyUsage,
  type FunctionCall,
  type RealtimeSessionEvents,
  type RealtimeUsage,
  type RealtimeVoiceSession,
} from '@recoup/providers/realtime-voice';
import { COLLECTION_TOOLS } from '../calls/call-tools';
import type { BridgeDeps, BridgeResult } from './bridge-deps';
import { CallEnding } from './call-ending';
import { ConversationLog } from './conversation-log';
import { Keypad, keyedText } from './keypad';
import { PhoneLeg } from './phone-leg';
import { PlaybackTracker, base64Bytes, type PlaybackItem } from './playback-tracker';
import { APOLOGY, MAX_RECONNECTS, WRAP_UP_NOTE, resumeConversation, sumUsage } from './recovery';

export type { BridgeDeps, BridgeResult } from './bridge-deps';
export { APOLOGY, RECONNECT_NOTE, WRAP_UP_NOTE } from './recovery';

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
/**
 * One call: Twilio Media Streams <-> OpenAI Realtime (GA), mu-law passed through untouched. All state is per
 * instance, so calls never share anything. Playback (marks, barge-in cuts) is the PlaybackTracker's; one response
 * at a time is the session's sequencer's; this class wires them to the two sockets, the tools and the record.
 */
export class CallBridge {
  private readonly phone: PhoneLeg;
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
  private reconnects = 0;
  private readonly closing = new CallEnding();
  private ended = false;
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
    this.phone = new PhoneLeg((buffered) => this.logger.warn({ buffered }, 'phone leg stalled'));
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
        this.closing.callerSpeaking = true;
        // Their last frames reached VAD after they hung up: no silence will follow, so end the turn now.
        if (this.closing.draining) this.commitCallerTurn();
        else this.onSpeechStarted();
      },
      speechStopped: () => {
        if (live()) this.closing.callerSpeaking = false;
      },
      inputCommitted: (itemId) => {
        if (live()) this.closing.committed(itemId);
      },
      userTranscript: (itemId, text) => {
        if (!live()) return;
        this.closing.transcribed(itemId);
        if (text) {
          this.log.add('user', text);
          this.writeTurn(() => this.deps.saveTurn(this.call.id, 'user', text, itemId));
        }
        this.settleCheck();
      },
      transcriptionFailed: (itemId, message) => {
        if (!live()) return;
        this.closing.transcribed(itemId);
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
          this.closing.commitRefused();
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
    this.phone.attach(ws, streamSid);
    ws.on('message', (data) => this.onTwilioMessage(data.toString()));
    ws.on('close', () => this.drain('twilio leg closed'));
    ws.on('error', () => this.drain('twilio leg error'));
    const max = this.deps.maxCallSeconds;
    this.timer(() => this.end(`reached the ${max} s limit`), max * 1000);
    if (max > 2 * WRAP_UP_SECONDS) this.timer(() => this.wrapUp(), (max - WRAP_UP_SECONDS) * 1000);
    // Outbound call: the agent speaks first (recording notice, who is calling).
    this.session.requestResponse();
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Uplink hot path: a 20 ms caller frame goes to Realtime as input_audio_buffer.append; mark echoes are next. */
  private onTwilioMessage(raw: string): void {
    if (raw.charCodeAt(10) === 109 && raw.startsWith('{"event":"media"')) {
      const at = raw.indexOf('"payload":"');
      if (at > 0) {
        const start = at + 11;
        this.session.appendAudio(raw.slice(start, raw.indexOf('"', start)));
        return;
      }
    }
    // Mark echoes (one per agent chunk): our own names ("<item>:<bytes>", no escapes) taken out without a parse.
    if (raw.startsWith('{"event":"mark"')) {
      const at = raw.indexOf('"name":"');
      if (at > 0) {
        const played = this.playback.markPlayed(raw.slice(at + 8, raw.indexOf('"', at + 8)));
        if (played) this.onItemPlayed(played);
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
    if (this.closing.draining || this.playback.isDiscarded(itemId, responseId)) return; // late audio of an interrupted response
    // A phone leg that cannot keep up: the chunk is dropped before it counts as sent.
    if (!this.phone.acceptsAudio()) return;
    const mark = this.playback.audioSent(itemId, base64Bytes(payload), responseId);
    if (mark !== null) this.phone.audio(payload, mark);
  }

  /** An item's audio has all played: its turn can be stored, and a pending end_call may now hang up. */
  private onItemPlayed(item: PlaybackItem): void {
    this.storeAgentTurn(item);
    this.settleCheck();
  }

  /** Stores what the caller heard of an agent item, once it is known (PlaybackTracker.turnText). */
  private storeAgentTurn(item: PlaybackItem, final = false): void {
    if (item.settled) return;
    const text = this.playback.turnText(item, final);
    if (text === undefined) return;
    this.playback.settle(item);
    if (!text) return;
    this.log.add('assistant', text);
    const itemId = item.itemId;
    this.writeTurn(() => this.deps.saveTurn(this.call.id, 'ai', text, itemId));
  }

  /** Barge-in: stop playback now, cancel generation, and cut every item still playing at what was actually heard. */
  private onSpeechStarted(): void {
    if (this.closing.draining) return;
    const responding = this.session.responding;
    const cuts = this.playback.interrupt(this.session.activeResponseId);
    if (this.session.activeResponseId) this.session.cancelResponse();
    if (cuts.length === 0) return;
    this.phone.clear();
    for (const cut of cuts) {
      this.session.truncate(cut.item.itemId, cut.audioEndMs);
      this.storeAgentTurn(cut.item);
    }
    this.logger.debug({ cuts: cuts.map((c) => [c.item.itemId, c.audioEndMs]), responding }, 'barge-in');
  }

  private onDtmf(digit: string): void {
    if (this.ended || this.closing.draining) return;
    this.keyed.push(digit);
    try {
      if (this.deps.onDtmf?.(this.call, digit, this) === true) return;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'dtmf hook failed');
    }
    this.keypad.press(digit);
  }

  /** A keyed sequence reaches the model as the caller's words, and is in the transcript. */
  private onKeyed(digits: string, terminator: string | null): void {
    if (this.ended || this.closing.draining) return;
    const text = keyedText(digits, terminator);
    this.tellAgent(text, 'user');
    this.writeTurn(() => this.deps.saveTurn(this.call.id, 'user', text, `dtmf:${this.keyed.length}`));
  }

  /**
   * Adds a message to the conversation and asks for a response (sequenced: after any active one). For the tool
   * layer too (e.g. after a DTMF hook acted).
   */
  tellAgent(text: string, role: 'user' | 'system' = 'system'): void {
    if (this.ended || this.closing.draining) return;
    this.log.add(role, text);
    this.session.addMessage({ role, text });
    this.session.requestResponse();
  }

  private onFunctionCall(fc: FunctionCall): void {
    this.closing.toolStarted();
    const run = (async () => {
      const result = await this.deps.tools.run(this.call, fc.name, fc.arguments, fc.callId);
      this.log.add('system', `Tool ${fc.name} was called: ${result.ok ? 'done' : 'refused'}: ${result.message}`);
      if (this.ended) return;
      this.session.sendToolResult(fc.callId, { ok: result.ok, message: result.message }, !result.endCall || fc.name !== 'end_call');
      if (result.endCall) this.endAfterPlayback();
    })()
      .catch((err: Error) => this.logger.warn({ err: { message: err.message }, tool: fc.name }, 'tool call failed'))
      .finally(() => {
        this.closing.toolFinished();
        this.settleCheck();
      });
    this.toolRuns.push(run);
  }

  /** end_call (or a tool that ends the call): hang up once the final response has been generated and has played. */
  private endAfterPlayback(): void {
    if (this.closing.goodbyePending) return;
    this.closing.endAfterGoodbye();
    // A bound, never the normal path: the goodbye gets the audio already sent plus a generous margin.
    this.timer(() => this.end('agent ended the call (goodbye not confirmed played)'), this.playback.unplayedMs + GOODBYE_MAX_MS);
    this.settleCheck();
  }

  /** Ends the call when what it waits for is done: a hung-up caller's last words, or end_call's goodbye played. */
  private settleCheck(): void {
    if (this.ended) return;
    const reason = this.closing.due(this.session, this.playback.idle);
    if (reason) this.end(reason);
  }

  /** 15 s before the call's limit: the model is told to wrap up (its response follows any in progress). */
  private wrapUp(): void {
    if (!this.closing.goodbyePending && !this.closing.draining) this.tellAgent(WRAP_UP_NOTE);
  }

  /**
   * The caller hung up: what they said last may still be on its way through the Realtime leg (its transcription, a
   * tool call such as record_dispute and its effects). Keep that leg until those are done, at most DRAIN_MAX_MS.
   */
  private drain(reason: string): void {
    if (this.ended || this.closing.draining) return;
    this.keypad.flush(); // keys pressed just before hanging up still reach the model
    this.closing.startDrain(reason);
    this.phone.mute(); // nothing more can be played to a caller who has gone
    // Whatever was playing was heard up to its last mark: the model's context says so too.
    for (const cut of this.playback.interrupt(this.session.activeResponseId)) {
      this.session.truncate(cut.item.itemId, cut.audioEndMs);
      this.storeAgentTurn(cut.item);
    }
    // They hung up mid-sentence: VAD will never hear the silence after it.
    if (this.closing.callerSpeaking) this.commitCallerTurn();
    this.timer(() => this.end(reason), DRAIN_MAX_MS);
    this.timer(() => {
      this.closing.drainMinimumPassed();
      this.settleCheck();
    }, DRAIN_MIN_MS);
  }

  /** Ends the caller's turn without VAD and asks the model to answer it (not played; its tool calls count). */
  private commitCallerTurn(): void {
    this.closing.commitSent();
    this.session.commitAudio();
    this.session.requestResponse();
  }

  /** The Realtime leg closed: once per call it is reopened with the conversation so far; otherwise the call ends. */
  private onRealtimeClosed(reason: string): void {
    if (this.ended) return;
    if (this.closing.draining) return this.end(this.closing.reason ?? reason);
    if (!this.phone.attached || this.closing.goodbyePending || this.reconnects >= MAX_RECONNECTS)
      return this.fail(`openai leg closed (${reason})`);
    this.reconnects++;
    this.logger.warn({ reason }, 'realtime leg dropped: reconnecting with the conversation so far');
    this.usageBefore = sumUsage(this.usageBefore, this.session.usage);
    this.droppedBefore += this.session.droppedAudioFrames;
    // What was playing stays what it was (heard up to its last mark); the new session starts from silence.
    const cuts = this.playback.interrupt(this.session.activeResponseId);
    if (cuts.length > 0) this.phone.clear();
    for (const cut of cuts) this.storeAgentTurn(cut.item, true);
    this.closing.resetRealtime();
    this.session = this.openSession();
    resumeConversation(this.session, this.log);
  }

  /** The agent cannot go on: the caller hears an apology from Twilio (if it can say one) and the call ends cleanly. */
  private fail(reason: string): void {
    if (!this.phone.attached || !this.deps.sayAndHangUp) return this.end(reason);
    const say = this.deps.sayAndHangUp;
    this.end(reason, { hangup: false, closeStream: false });
    void say(this.call.id, APOLOGY).catch(async (err: Error) => {
      this.logger.warn({ err: { message: err.message } }, 'apology not played; hanging up');
      await this.deps.hangup(this.call.id).catch(() => undefined);
    });
  }

  get result(): BridgeResult {
    return {
      usage: sumUsage(this.usageBefore, this.session.usage),
      reconnects: this.reconnects,
      droppedAudioFrames: this.droppedBefore + this.session.droppedAudioFrames + this.phone.droppedChunks,
      keyed: [...this.keyed],
    };
  }

  /**
   * Either leg closing ends both, once, and finalises the record. `hangup: false` leaves the phone call to new TwiML
   * (voicemail, the apology); `closeStream: false` leaves the media stream for that TwiML to end.
   */
  end(reason: string, options: { hangup?: boolean; closeStream?: boolean } = {}): void {
    if (this.ended) return;
    if (!this.phone.attached && reason.startsWith('openai') && this.deps.onAbandoned) {
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
    if (options.closeStream !== false) this.phone.close();
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
    if (this.phone.attached) this.drain(reason);
    else this.end(reason);
  }

  /** Shutdown: close the call now. */
  close(): void {
    this.end('service shutting down');
  }
}
