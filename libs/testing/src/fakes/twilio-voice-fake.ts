import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { signTwilioRequest } from '@recoup/providers/twilio';
import { FRAME_MS, SILENCE_FRAME, encodeSpeech, speechBytes } from './openai-realtime-speech';

/**
 * The call as the telephony sandbox hands it over (structurally the telephony lib's SandboxCall;
 * not imported, because that lib's own tests import this one).
 */
export interface SandboxCall {
  callSid: string;
  to: string;
  from: string;
  answerUrl: string;
  statusCallbackUrl: string;
  machineDetection?: { mode: 'async'; callbackUrl: string; detectMessageEnd?: boolean };
  record?: boolean;
  timeLimitSeconds?: number;
  idempotencyKey: string;
}

/** What the scripted callee does. */
export interface CalleeScript {
  answer?: 'human' | 'machine' | 'no-answer' | 'busy';
  /**
   * Said (or keyed: `keys`, sent as Media Streams `dtmf` events, or as Gather Digits) in order; each waits for the agent
   * to finish speaking unless `interruptAfterMs` is set.
   */
  turns: Array<{ say: string; keys?: string; interruptAfterMs?: number }>;
  /** An answering machine's greeting (spoken until its beep; AMD with DetectMessageEnd answers after it). */
  machineGreeting?: string;
  /** Hang up (close the media stream) once the script is done and the agent falls quiet. */
  hangUpWhenDone?: boolean;
  /**
   * With hangUpWhenDone: hang up as soon as the last turn is said (its words are the call's last), instead of waiting
   * for the agent's answer to it (or 8 s of silence), as a person would.
   */
  hangUpAtOnce?: boolean;
}

export interface FakeCallRecord {
  call: SandboxCall;
  statuses: string[];
  /** What each side said, as heard on the line ("ai" is what actually played). */
  transcript: Array<{ speaker: 'ai' | 'user'; text: string }>;
  twiml: string[];
  /** Marks echoed during normal playback (not the ones flushed by a clear). */
  playedMarks: string[];
  /** Agent audio actually played, in ms, per mark prefix (item id), and what the bridge sent. */
  playedMsByItem: Map<string, number>;
  clears: Array<{ playedMarksBefore: string[] }>;
  streamParameters?: Record<string, string>;
  /** Index in `transcript` where the machine's beep sounded (what follows is what the machine recorded). */
  beepAt?: number;
  /** Recordings of this call, as the Recordings API of the call holds them (started, paused, stopped). */
  recordings: Array<{ sid: string; status: 'in-progress' | 'paused' | 'stopped' }>;
  /** Numbers a <Dial> of this call rang (a transfer). */
  dialled: string[];
  streamClosedBy?: 'callee' | 'server';
  done: Promise<FakeCallRecord>;
  errors: string[];
}

export interface FakeTwilioVoiceOptions {
  authToken: string;
  accountSid?: string;
  /** Picks the callee's behaviour per call. */
  script?: (call: SandboxCall) => CalleeScript;
  /** Playback/clock tick (20 ms is real time; tests may go faster). */
  frameMs?: number;
  /** Quiet time after which the agent counts as having finished speaking. */
  turnGapMs?: number;
  charsPerFrame?: number;
  /** How long a finished call's record stays readable (default 10 minutes). */
  keepCallsMs?: number;
  /** How long an answering machine's greeting lasts before its beep (default 1500 ms). */
  machineGreetingMs?: number;
  /** How a <Dial> (a transfer) ends: completed (answered, the default), no-answer, busy or failed. */
  dialOutcome?: 'completed' | 'no-answer' | 'busy' | 'failed';
}

/** The sandbox debtor (npm start, npm run demo): answers, asks for the payment link, promises to pay. */
const DEFAULT_SCRIPT: CalleeScript = {
  answer: 'human',
  turns: [
    { say: 'Hello, speaking.' },
    // The identity question comes before anything about the debt (the demo debtors' postcode).
    { say: 'Yes, my postcode is SW1A 1AA.' },
    { say: 'Can you text me the link?' },
    { say: "Yes. I'll pay on Friday." },
    { say: 'No, that is all. Goodbye.' },
  ],
  hangUpWhenDone: true,
};

type Outbound = { payload: string; item: string } | { mark: string };

/**
 * A fake Twilio for sandbox calls: like Twilio, it posts signed status callbacks, fetches the answer
 * URL, follows `<Connect><Stream>` by opening the media WebSocket (connected, start with custom
 * parameters, 20 ms media frames, marks echoed when played, `clear` honoured) and `<Gather>` by
 * posting SpeechResult. The callee speaks the script through the same frames.
 */
export class FakeTwilioVoice {
  readonly calls = new Map<string, FakeCallRecord>();
  /** Recordings this fake Twilio holds (made when a recorded call completes), by RecordingSid; deleted ones stay with deletedAt. */
  readonly recordings = new Map<string, { callSid: string; deletedAt?: Date; status?: 'in-progress' | 'paused' | 'stopped' }>();
  private readonly sockets = new Map<string, WebSocket>();
  private readonly accountSid: string;
  private readonly endHooks = new Map<string, () => void>();

  constructor(private readonly options: FakeTwilioVoiceOptions) {
    this.accountSid = options.accountSid ?? 'AC' + '0'.repeat(32);
  }

  dial(call: SandboxCall): void {
    let resolve!: (r: FakeCallRecord) => void;
    const record: FakeCallRecord = {
      call,
      statuses: [],
      transcript: [],
      twiml: [],
      playedMarks: [],
      playedMsByItem: new Map(),
      clears: [],
      recordings: [],
      dialled: [],
      done: new Promise((r) => (resolve = r)),
      errors: [],
    };
    this.calls.set(call.callSid, record);
    const script = this.options.script?.(call) ?? DEFAULT_SCRIPT;
    void this.run(record, script)
      .catch((err: Error) => record.errors.push(err.message))
      .finally(() => {
        resolve(record);
        // A long-running sandbox (npm start) must not keep every call it ever faked.
        setTimeout(() => this.calls.delete(call.callSid), this.options.keepCallsMs ?? 10 * 60_000).unref();
      });
  }

  async hangup(callSid: string): Promise<void> {
    this.endHooks.get(callSid)?.();
  }

  /** A recording of this call, as Twilio makes one when a recorded call completes; returns its RecordingSid. */
  addRecording(callSid: string): string {
    const sid = 'RE' + randomBytes(16).toString('hex');
    this.recordings.set(sid, { callSid });
    return sid;
  }

  /** Like Twilio's DELETE on a recording: false when there is no such recording (Twilio answers 404). */
  deleteRecording(recordingSid: string): boolean {
    const recording = this.recordings.get(recordingSid);
    if (!recording || recording.deletedAt) return false;
    recording.deletedAt = new Date();
    return true;
  }

  /** Like Twilio's call update with TwiML: the stream ends and the new TwiML plays (its Say lines are heard, its Dial rings). */
  async redirect(callSid: string, twiml: string): Promise<void> {
    const record = this.calls.get(callSid);
    if (!record) return;
    record.twiml.push(twiml);
    this.endHooks.get(callSid)?.();
    this.play(record, twiml);
    // <Dial action>: the dialled leg ends (answered by the team, or not, per options.dialOutcome) and Twilio asks the
    // action what follows.
    const dial = /<Dial[^>]*action="([^"]+)"/.exec(twiml);
    if (dial?.[1]) {
      const next = await this.post(new URL(unescape(dial[1]), record.call.answerUrl).toString(), {
        ...this.base(record, 'in-progress'),
        DialCallStatus: this.options.dialOutcome ?? 'completed',
        DialCallDuration: this.options.dialOutcome === 'completed' || !this.options.dialOutcome ? '42' : '0',
      }).catch((err: Error) => (record.errors.push(err.message), ''));
      if (next) {
        record.twiml.push(next);
        this.play(record, next);
      }
    }
  }

  /** What a TwiML document does on the line: its Say lines are heard and its Dial numbers ring, in order. */
  private play(record: FakeCallRecord, twiml: string): void {
    for (const m of twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>|<Number[^>]*>([^<]*)<\/Number>/g)) {
      if (m[1] !== undefined) record.transcript.push({ speaker: 'ai', text: unescape(m[1]) });
      else if (m[2] !== undefined) record.dialled.push(unescape(m[2]));
    }
  }

  /** Twilio's POST /Calls/{sid}/Recordings.json on a live call: a new recording, in progress. */
  startRecording(callSid: string): string {
    const record = this.calls.get(callSid);
    const sid = this.addRecording(callSid);
    (this.recordings.get(sid) as { status?: string }).status = 'in-progress';
    record?.recordings.push({ sid, status: 'in-progress' });
    return sid;
  }

  /** Twilio's POST /Calls/{sid}/Recordings/{sid|Twilio.CURRENT}.json with Status: false when no live recording matches (404). */
  setRecordingStatus(callSid: string, recordingSid: string, status: 'in-progress' | 'paused' | 'stopped'): boolean {
    const live = [...this.recordings.entries()].filter(([, r]) => r.callSid === callSid && r.status && r.status !== 'stopped');
    const target = recordingSid === 'Twilio.CURRENT' ? live[live.length - 1] : live.find(([sid]) => sid === recordingSid);
    if (!target) return false;
    target[1].status = status;
    const mine = this.calls.get(callSid)?.recordings.find((r) => r.sid === target[0]);
    if (mine) mine.status = status;
    return true;
  }

  /** Resolves when the call is over (after the final status callback). */
  async waitForCall(callSid: string): Promise<FakeCallRecord> {
    const record = this.calls.get(callSid);
    if (!record) throw new Error(`no fake call ${callSid}`);
    return record.done;
  }

  private async post(url: string, params: Record<string, string>): Promise<string> {
    const signature = signTwilioRequest(this.options.authToken, url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    return text;
  }

  private base(record: FakeCallRecord, status: string): Record<string, string> {
    return {
      AccountSid: this.accountSid,
      CallSid: record.call.callSid,
      From: record.call.from,
      To: record.call.to,
      Direction: 'outbound-api',
      CallStatus: status,
      ApiVersion: '2010-04-01',
    };
  }

  /** Like Twilio's: each callback of a call carries the next SequenceNumber (from 0) and its Timestamp (RFC 2822). */
  private async status(record: FakeCallRecord, status: string, extra: Record<string, string> = {}): Promise<void> {
    const sequenceNumber = record.statuses.length;
    record.statuses.push(status);
    await this.post(record.call.statusCallbackUrl, {
      ...this.base(record, status),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(sequenceNumber),
      Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
      ...extra,
    });
  }

  private async run(record: FakeCallRecord, script: CalleeScript): Promise<void> {
    await this.status(record, 'initiated');
    await this.status(record, 'ringing');
    const answer = script.answer ?? 'human';
    if (answer === 'no-answer' || answer === 'busy') {
      await this.status(record, answer, { CallDuration: '0' });
      return;
    }
    const startedAt = Date.now();
    await this.status(record, 'in-progress');
    let twiml = await this.post(record.call.answerUrl, this.base(record, 'in-progress'));
    // Async AMD: the verdict arrives while the call is already connected. A machine's greeting plays first; with
    // DetectMessageEnd the verdict (machine_end_beep) comes after its beep, with Enable at once (machine_start), over it.
    const amd = record.call.machineDetection;
    const machine = answer === 'machine';
    if (machine)
      record.transcript.push({ speaker: 'user', text: script.machineGreeting ?? 'Hello, you have reached John. Please leave a message.' });
    const greetingMs = machine && amd?.detectMessageEnd ? (this.options.machineGreetingMs ?? 1500) : 200;
    const amdPosted = amd
      ? new Promise((r) => setTimeout(r, greetingMs)).then(() => {
          if (machine && amd.detectMessageEnd) record.beepAt = record.transcript.length;
          return this.post(amd.callbackUrl, {
            ...this.base(record, 'in-progress'),
            AnsweredBy: machine ? (amd.detectMessageEnd ? 'machine_end_beep' : 'machine_start') : 'human',
            MachineDetectionDuration: String(greetingMs),
          }).catch((err: Error) => record.errors.push(err.message));
        })
      : Promise.resolve();
    const turns = [...script.turns];
    for (let hops = 0; hops < 20; hops++) {
      record.twiml.push(twiml);
      this.play(record, twiml);
      const stream = /<Stream url="([^"]+)">([\s\S]*?)<\/Stream>/.exec(twiml);
      if (stream) {
        const parameters: Record<string, string> = {};
        for (const p of (stream[2] ?? '').matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g))
          parameters[unescape(p[1] ?? '')] = unescape(p[2] ?? '');
        record.streamParameters = parameters;
        await this.stream(record, unescape(stream[1] ?? ''), parameters, { ...script, turns });
        break;
      }
      const gather = /<Gather[^>]*action="([^"]+)"/.exec(twiml);
      if (gather && turns.length > 0 && answer === 'human') {
        const turn = turns.shift();
        record.transcript.push({ speaker: 'user', text: turn?.keys ? `[keys ${turn.keys}]` : (turn?.say ?? '') });
        twiml = await this.post(new URL(unescape(gather[1] ?? ''), record.call.answerUrl).toString(), {
          ...this.base(record, 'in-progress'),
          ...(turn?.keys ? { Digits: turn.keys } : { SpeechResult: turn?.say ?? '', Confidence: '0.92' }),
        });
        continue;
      }
      break;
    }
    await amdPosted;
    const duration = Math.max(1, Math.round((Date.now() - startedAt) / 1000));
    await this.status(record, 'completed', {
      CallDuration: String(duration),
      ...(record.call.record
        ? {
            RecordingSid: this.addRecording(record.call.callSid),
            RecordingUrl: `https://api.twilio.example/recordings/${record.call.callSid}`,
          }
        : {}),
    });
  }

  private stream(record: FakeCallRecord, url: string, customParameters: Record<string, string>, script: CalleeScript): Promise<void> {
    const frameMs = this.options.frameMs ?? FRAME_MS;
    const gapMs = this.options.turnGapMs ?? 400;
    const streamSid = 'MZ' + randomBytes(16).toString('hex');
    // Twilio signs the WebSocket handshake as it signs webhooks: X-Twilio-Signature over the <Stream> URL
    // it connects to (wss://..., no form parameters); the voice agent refuses an upgrade without it.
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      headers: { 'X-Twilio-Signature': signTwilioRequest(this.options.authToken, url, {}) },
    });
    this.sockets.set(record.call.callSid, ws);
    const outbound: Outbound[] = [];
    const inbound: string[] = [];
    let sequence = 0;
    let mediaTs = 0;
    let lastAgentAudioAt = 0;
    let agentText: Buffer[] = [];
    let agentPlayedMs = 0; // of the current utterance
    let turnIndex = 0;
    let heardAgent = false; // the agent spoke since the callee's last turn (it speaks first on outbound calls)
    let lastSpokeAt = Date.now();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const flushAgent = () => {
        const text = Buffer.concat(agentText).toString('utf8').trim();
        if (text) record.transcript.push({ speaker: 'ai', text });
        agentText = [];
        agentPlayedMs = 0;
      };
      const finish = (by: 'callee' | 'server') => {
        if (timer) clearInterval(timer);
        timer = undefined;
        if (!record.streamClosedBy) record.streamClosedBy = by;
        flushAgent();
        this.endHooks.delete(record.call.callSid);
        if (ws.readyState === ws.OPEN) {
          ws.send(
            JSON.stringify({
              event: 'stop',
              sequenceNumber: String(++sequence),
              streamSid,
              stop: { accountSid: this.accountSid, callSid: record.call.callSid },
            }),
          );
          ws.close(1000);
        }
        resolve();
      };
      this.endHooks.set(record.call.callSid, () => finish('server'));
      ws.on('open', () => {
        ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
        ws.send(
          JSON.stringify({
            event: 'start',
            sequenceNumber: String(++sequence),
            streamSid,
            start: {
              accountSid: this.accountSid,
              streamSid,
              callSid: record.call.callSid,
              tracks: ['inbound'],
              customParameters,
              mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            },
          }),
        );
        timer = setInterval(tick, frameMs);
      });
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { event: string; media?: { payload: string }; mark?: { name: string } };
        if (msg.event === 'media' && msg.media) {
          outbound.push({ payload: msg.media.payload, item: '' });
        } else if (msg.event === 'mark' && msg.mark) {
          outbound.push({ mark: msg.mark.name });
        } else if (msg.event === 'clear') {
          record.clears.push({ playedMarksBefore: [...record.playedMarks] });
          // Twilio drops unplayed audio and sends back the marks it was still holding.
          const held = outbound.filter((o): o is { mark: string } => 'mark' in o);
          outbound.length = 0;
          for (const m of held)
            ws.send(JSON.stringify({ event: 'mark', sequenceNumber: String(++sequence), streamSid, mark: { name: m.mark } }));
          flushAgent();
        }
      });
      ws.on('close', () => finish('server'));
      ws.on('error', (err) => {
        record.errors.push(err.message);
        finish('server');
      });
      const tick = () => {
        const now = Date.now();
        // Play: marks before the next frame are echoed as playback reaches them.
        while (outbound.length > 0 && 'mark' in (outbound[0] as Outbound)) {
          const m = outbound.shift() as { mark: string };
          record.playedMarks.push(m.mark);
          ws.send(JSON.stringify({ event: 'mark', sequenceNumber: String(++sequence), streamSid, mark: { name: m.mark } }));
        }
        const frame = outbound.shift();
        if (frame && 'payload' in frame) {
          const bytes = Buffer.from(frame.payload, 'base64');
          agentText.push(speechBytes(bytes));
          agentPlayedMs += (bytes.length / 8) | 0;
          lastAgentAudioAt = now;
          heardAgent = true;
        }
        const agentQuiet = outbound.length === 0 && now - lastAgentAudioAt >= gapMs;
        if (agentQuiet && agentText.length > 0) flushAgent();
        // Speak: the next turn once the agent finished (or barge in after interruptAfterMs of its speech).
        if (inbound.length === 0 && turnIndex < script.turns.length) {
          const turn = script.turns[turnIndex] as { say: string; keys?: string; interruptAfterMs?: number };
          // A silent agent (a tool call with no words) does not stall the callee for ever.
          const canSpeak =
            turn.interruptAfterMs !== undefined
              ? agentPlayedMs >= turn.interruptAfterMs
              : agentQuiet && (heardAgent || now - lastSpokeAt > 8_000);
          if (canSpeak) {
            turnIndex++;
            heardAgent = false;
            if (turn.keys) {
              // Key presses: Media Streams sends one dtmf event per key (inbound track).
              record.transcript.push({ speaker: 'user', text: `[keys ${turn.keys}]` });
              for (const digit of turn.keys)
                if (ws.readyState === ws.OPEN)
                  ws.send(
                    JSON.stringify({
                      event: 'dtmf',
                      sequenceNumber: String(++sequence),
                      streamSid,
                      dtmf: { track: 'inbound_track', digit },
                    }),
                  );
              lastSpokeAt = now;
            }
            if (turn.say) {
              record.transcript.push({ speaker: 'user', text: turn.say });
              inbound.push(...encodeSpeech(turn.say, this.options.charsPerFrame ?? 2));
              lastSpokeAt = now + inbound.length * frameMs;
            }
          }
        } else if (
          inbound.length === 0 &&
          turnIndex >= script.turns.length &&
          script.hangUpWhenDone &&
          (script.hangUpAtOnce || (agentQuiet && (heardAgent ? now - lastAgentAudioAt > gapMs * 3 : now - lastSpokeAt > 8_000)))
        ) {
          return finish('callee');
        }
        const payload = inbound.shift() ?? SILENCE_FRAME;
        mediaTs += 20;
        if (ws.readyState === ws.OPEN)
          ws.send(
            JSON.stringify({
              event: 'media',
              sequenceNumber: String(++sequence),
              streamSid,
              media: { track: 'inbound', chunk: String(sequence), timestamp: String(mediaTs), payload },
            }),
          );
      };
    });
  }

  close(): void {
    for (const hook of [...this.endHooks.values()]) hook();
  }
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
