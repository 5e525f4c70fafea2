import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import { createLogger } from '@recoup/observability';
import {
  ResponseSequencer,
  emptyUsage,
  type ConversationMessage,
  type RealtimeSessionEvents,
  type RealtimeVoiceConnector,
  type RealtimeVoiceSession,
} from '@recoup/providers/realtime-voice';
import type { CallTools } from '../calls/call-tools';
import { APOLOGY, CallBridge, RECONNECT_NOTE, WRAP_UP_NOTE, type BridgeDeps, type BridgeResult } from './call-bridge';

/** The session port with the real sequencer; `server` plays OpenAI's side of the events. */
class FakeSession implements RealtimeVoiceSession {
  readonly sent: unknown[] = [];
  closed = false;
  droppedAudioFrames = 0;
  usage = emptyUsage();
  private readonly sequencer = new ResponseSequencer(() => this.sent.push(['response.create']));
  constructor(readonly events: RealtimeSessionEvents) {}
  get responding() {
    return this.sequencer.responding;
  }
  get activeResponseId() {
    return this.sequencer.activeResponseId;
  }
  get settled() {
    return this.sequencer.settled;
  }
  appendAudio(payload: string) {
    this.sent.push(['append', payload]);
  }
  commitAudio() {
    this.sent.push(['commit']);
    this.sequencer.speaking(false);
  }
  requestResponse() {
    this.sequencer.request();
  }
  cancelResponse() {
    this.sent.push(['response.cancel']);
  }
  truncate(itemId: string, ms: number) {
    this.sent.push(['truncate', itemId, ms]);
  }
  sendToolResult(callId: string, output: unknown, respond = true) {
    this.sent.push(['tool', callId, output, respond]);
    this.sequencer.toolCallAnswered(callId, respond);
  }
  addMessage(m: ConversationMessage) {
    this.sent.push(['message', m.role, m.text]);
  }
  close() {
    this.closed = true;
  }
  // ---- the server's side
  created(id: string) {
    this.sequencer.created(id);
    this.events.responseStarted?.(id);
  }
  done(id: string, outputTokens = 0) {
    this.usage.responses++;
    this.usage.outputTokens += outputTokens;
    this.events.responseDone?.(id, 'completed');
    this.sequencer.done(id);
  }
  speech(on: boolean) {
    this.sequencer.speaking(on);
    if (on) this.events.speechStarted();
    else this.events.speechStopped?.();
  }
  toolCall(callId: string, name: string) {
    this.sequencer.toolCallStarted(callId);
    this.events.functionCall?.({ callId, name, arguments: '{}' });
  }
  creates() {
    return this.sent.filter((s) => Array.isArray(s) && s[0] === 'response.create').length;
  }
}

class FakeTwilioSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly out: Array<Record<string, unknown>> = [];
  send(data: string) {
    this.out.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.emit('close');
  }
  terminate() {
    this.close();
  }
  /** A message from Twilio. */
  twilio(message: Record<string, unknown>) {
    this.emit('message', Buffer.from(JSON.stringify(message)));
  }
  mark(name: string) {
    this.twilio({ event: 'mark', streamSid: 'MZ1', mark: { name } });
  }
  marks() {
    return this.out.filter((m) => m.event === 'mark').map((m) => (m.mark as { name: string }).name);
  }
}

/** Resolves when `check` holds, polled on each turn of the event loop (the bridge's own timers may be involved). */
async function until<T>(check: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}

const b64 = (bytes: number) => Buffer.alloc(bytes, 0xff).toString('base64');

function setup(
  overrides: Partial<BridgeDeps> = {},
  tool: (name: string) => { ok: boolean; message: string; endCall?: boolean } = () => ({ ok: true, message: 'done' }),
) {
  const sessions: FakeSession[] = [];
  const connector: RealtimeVoiceConnector = {
    provider: 'sandbox',
    open: (_config, e) => {
      const s = new FakeSession(e);
      sessions.push(s);
      return s;
    },
  };
  const ended: Array<{ reason: string; result: BridgeResult }> = [];
  const hungUp: string[] = [];
  const turns: string[] = [];
  const toolsRun: string[] = [];
  let releaseTool: () => void = () => undefined;
  const toolGate = { hold: false };
  const deps: BridgeDeps = {
    connector,
    tools: {
      run: async (_call: CallModel, name: string) => {
        toolsRun.push(name);
        if (toolGate.hold) await new Promise<void>((r) => (releaseTool = r));
        return { endCall: false, ...tool(name) };
      },
    } as unknown as CallTools,
    logger: createLogger({ service: 'test', level: 'silent' }),
    voice: 'sage',
    maxCallSeconds: 120,
    saveTurn: async (_id, speaker, text) => void turns.push(`${speaker}: ${text}`),
    onEnded: async (_id, reason, result) => void ended.push({ reason, result }),
    hangup: async (id) => void hungUp.push(id),
    ...overrides,
  };
  const bridge = new CallBridge({ id: 'call-1' } as CallModel, 'instructions', deps);
  const ws = new FakeTwilioSocket();
  bridge.attachTwilio(ws as unknown as WebSocket, 'MZ1');
  const session = () => sessions.at(-1)!;
  return { sessions, session, ws, bridge, ended, hungUp, turns, toolsRun, toolGate, release: () => releaseTool() };
}

describe('CallBridge', () => {
  it('passes caller frames through as appends and agent audio out as media followed by a mark of the bytes sent', () => {
    const { session, ws } = setup();
    expect(session().sent).toEqual([['response.create']]); // the agent speaks first
    ws.twilio({
      event: 'media',
      sequenceNumber: '2',
      media: { track: 'inbound', chunk: '1', timestamp: '20', payload: 'QUJD' },
      streamSid: 'MZ1',
    });
    expect(session().sent.at(-1)).toEqual(['append', 'QUJD']);
    session().events.audio('item_a', b64(800), 'resp_1');
    session().events.audio('item_a', b64(800), 'resp_1');
    expect(ws.out).toEqual([
      { event: 'media', streamSid: 'MZ1', media: { payload: b64(800) } },
      { event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:800' } },
      { event: 'media', streamSid: 'MZ1', media: { payload: b64(800) } },
      { event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:1600' } },
    ]);
  });

  it('barge-in cuts EVERY item still playing at what was heard; flushed marks and late audio of the interrupted response are ignored', () => {
    const { session, ws } = setup();
    const s = session();
    s.created('resp_1');
    // Item A (3 chunks, 1 heard) then item B of the same turn queued behind it (nothing heard), still generating.
    for (let i = 0; i < 3; i++) s.events.audio('item_a', b64(800), 'resp_1');
    s.events.audioDone?.('item_a', 'resp_1');
    s.events.audio('item_b', b64(800), 'resp_1');
    ws.mark('item_a:800');
    s.speech(true);
    expect(ws.out.at(-1)).toEqual({ event: 'clear', streamSid: 'MZ1' });
    expect(s.sent.filter((x) => Array.isArray(x) && (x[0] === 'truncate' || x[0] === 'response.cancel'))).toEqual([
      ['response.cancel'],
      ['truncate', 'item_a', 100],
      ['truncate', 'item_b', 0],
    ]);
    const before = ws.out.length;
    for (const m of ['item_a:1600', 'item_a:2400', 'item_b:800']) ws.mark(m); // flushed by the clear: never heard
    s.events.audio('item_b', b64(800), 'resp_1'); // generated before the cancel landed
    s.events.audio('item_c', b64(800), 'resp_1'); // a new item of the cancelled response
    expect(ws.out.length).toBe(before);
    s.done('resp_1');
    s.speech(false);
    s.created('resp_2');
    s.events.audio('item_d', b64(160), 'resp_2'); // the answer to the caller plays
    expect(ws.out.at(-1)).toEqual({ event: 'mark', streamSid: 'MZ1', mark: { name: 'item_d:160' } });
  });

  it('the stored agent turn is what the caller heard: the transcript cut at the played share, marked interrupted', async () => {
    const { session, ws, turns } = setup();
    const s = session();
    s.created('resp_1');
    const text = 'Hello, this is Acme calling about your account.'; // 47 characters over 3 chunks
    s.events.agentTranscriptDelta?.('item_a', text.slice(0, 20));
    for (let i = 0; i < 3; i++) s.events.audio('item_a', b64(800), 'resp_1');
    s.events.agentTranscriptDelta?.('item_a', text.slice(20));
    s.events.audioDone?.('item_a', 'resp_1');
    ws.mark('item_a:800');
    s.speech(true);
    // Fully generated: the stored turn waits for the final transcript.
    expect(turns).toEqual([]);
    s.events.agentTranscript?.('item_a', text);
    await until(() => turns.length === 1, 'the cut turn');
    expect(turns).toEqual([`ai: ${text.slice(0, Math.ceil(47 / 3)).trim()} [interrupted]`]);
  });

  it('an item cut while still generating is stored from its transcript so far; one fully played is stored whole, once', async () => {
    const { session, ws, turns } = setup();
    const s = session();
    s.created('resp_1');
    s.events.agentTranscriptDelta?.('item_a', 'Good morning. ');
    s.events.audio('item_a', b64(800), 'resp_1');
    s.events.audioDone?.('item_a', 'resp_1');
    s.events.agentTranscript?.('item_a', 'Good morning.');
    expect(turns).toEqual([]); // not played yet
    ws.mark('item_a:800');
    await until(() => turns.length === 1, 'the played turn');
    s.events.agentTranscriptDelta?.('item_b', 'abcdefghij');
    s.events.audio('item_b', b64(800), 'resp_1');
    s.events.agentTranscriptDelta?.('item_b', 'klmnopqrst');
    s.events.audio('item_b', b64(800), 'resp_1');
    ws.mark('item_b:800');
    s.speech(true);
    await until(() => turns.length === 2, 'the cut turn');
    expect(turns).toEqual(['ai: Good morning.', 'ai: abcdefghij [interrupted]']);
  });

  it('parallel tool calls: both run, their outputs go back, ONE response.create follows the response that asked', async () => {
    const { session, toolsRun } = setup();
    const s = session();
    s.created('resp_1');
    s.toolCall('call_a', 'send_payment_link');
    s.toolCall('call_b', 'record_promise_to_pay');
    await until(() => s.sent.filter((x) => Array.isArray(x) && x[0] === 'tool').length === 2, 'both tool outputs');
    expect(toolsRun).toEqual(['send_payment_link', 'record_promise_to_pay']);
    expect(s.creates()).toBe(1); // only the opening one: resp_1 is still active
    s.done('resp_1');
    expect(s.creates()).toBe(2);
  });

  it('end_call waits until the final response has been generated AND its last mark played', async () => {
    const { session, ws, ended } = setup({}, (name) => ({ ok: true, message: 'bye', endCall: name === 'end_call' }));
    const s = session();
    s.created('resp_1');
    s.events.audio('item_bye', b64(800), 'resp_1');
    s.toolCall('call_end', 'end_call');
    await until(() => s.sent.some((x) => Array.isArray(x) && x[0] === 'tool'), 'the end_call output');
    expect(s.sent).toContainEqual(['tool', 'call_end', { ok: true, message: 'bye' }, false]);
    s.events.audio('item_bye', b64(800), 'resp_1'); // the goodbye is still being generated
    ws.mark('item_bye:800');
    s.events.audioDone?.('item_bye', 'resp_1');
    ws.mark('item_bye:1600'); // all played, but the response is still active: a mark never ends the call then
    await new Promise((r) => setImmediate(r));
    expect(ended).toEqual([]);
    s.done('resp_1');
    await until(() => ended.length === 1, 'the call to end');
    expect(ended[0]?.reason).toBe('agent ended the call');
  });

  it('a goodbye still playing when the response is done is never cut: the call ends on its last mark', async () => {
    const { session, ws, ended } = setup({}, () => ({ ok: true, message: 'bye', endCall: true }));
    const s = session();
    s.created('resp_1');
    s.events.audio('item_bye', b64(1600), 'resp_1');
    s.events.audioDone?.('item_bye', 'resp_1');
    s.toolCall('call_end', 'end_call');
    s.done('resp_1');
    ws.mark('item_bye:800');
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toEqual([]);
    ws.mark('item_bye:1600');
    await until(() => ended.length === 1, 'the call to end');
  });

  it('hang-up mid-sentence: commits the turn, asks for one response, and ends only after its transcription, the tool call and its effects', async () => {
    const { session, ws, ended, turns, toolGate, release } = setup();
    const s = session();
    s.created('resp_0');
    s.done('resp_0');
    s.speech(true); // the caller is speaking...
    toolGate.hold = true;
    ws.twilio({ event: 'stop', streamSid: 'MZ1' }); // ...and hangs up
    ws.close();
    expect(s.sent.slice(-2)).toEqual([['commit'], ['response.create']]);
    s.events.inputCommitted?.('item_u');
    s.created('resp_1');
    s.toolCall('call_d', 'record_dispute');
    s.done('resp_1');
    await new Promise((r) => setTimeout(r, 450)); // past the minimum drain, still waiting: transcription and tool pending
    expect(ended).toEqual([]);
    s.events.userTranscript?.('item_u', 'I dispute this invoice');
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toEqual([]); // the tool's effects are not done yet
    release();
    await until(() => s.sent.some((x) => Array.isArray(x) && x[0] === 'tool'), 'the tool output');
    s.created('resp_2'); // the follow-up to the tool output (not played)
    expect(ended).toEqual([]);
    s.done('resp_2');
    await until(() => ended.length === 1, 'the call to end');
    expect(ended[0]?.reason).toBe('caller hung up');
    expect(turns).toEqual(['user: I dispute this invoice']);
    expect(s.closed).toBe(true);
  });

  it('DTMF: each key reaches the hook; a sequence ended by # reaches the model as the caller keying digits, and the transcript', async () => {
    const keys: string[] = [];
    const { session, ws, turns } = setup({ onDtmf: (_call, digit) => (keys.push(digit), digit === '0') });
    const s = session();
    for (const d of ['1', '9', '8', '0', '4', '#'])
      ws.twilio({ event: 'dtmf', streamSid: 'MZ1', dtmf: { track: 'inbound_track', digit: d } });
    expect(keys).toEqual(['1', '9', '8', '0', '4', '#']);
    const text = '[The caller keyed 1 9 8 4 on the phone keypad then #]'; // "0" was the hook's (e.g. transfer)
    expect(s.sent).toContainEqual(['message', 'user', text]);
    await until(() => turns.length === 1, 'the keyed turn');
    expect(turns).toEqual([`user: ${text}`]);
  });

  it('the Realtime leg dropping: one reconnect given the conversation so far; a second drop has Twilio apologise and the call ends cleanly', async () => {
    const said: string[] = [];
    const { sessions, session, ws, ended, hungUp } = setup({ sayAndHangUp: async (_id, text) => void said.push(text) });
    const first = session();
    first.created('resp_1');
    first.events.agentTranscriptDelta?.('item_a', 'Hello, is that Sam?');
    first.events.audio('item_a', b64(800), 'resp_1');
    first.events.audioDone?.('item_a', 'resp_1');
    first.events.agentTranscript?.('item_a', 'Hello, is that Sam?');
    ws.mark('item_a:800');
    first.done('resp_1', 50);
    first.events.inputCommitted?.('item_u');
    first.events.userTranscript?.('item_u', 'Speaking.');
    first.events.closed('openai closed 1006');
    expect(sessions).toHaveLength(2);
    const second = session();
    expect(second.sent).toEqual([
      ['message', 'assistant', 'Hello, is that Sam?'],
      ['message', 'user', 'Speaking.'],
      ['message', 'system', RECONNECT_NOTE],
      ['response.create'],
    ]);
    second.created('resp_2');
    second.done('resp_2', 70);
    second.events.closed('openai closed 1011');
    await until(() => ended.length === 1, 'the call to end');
    expect(said).toEqual([APOLOGY]);
    expect(hungUp).toEqual([]); // Twilio hangs up after the apology
    expect(ended[0]?.reason).toBe('openai leg closed (openai closed 1011)');
    expect(ended[0]?.result.reconnects).toBe(1);
    expect(ended[0]?.result.usage).toMatchObject({ responses: 2, outputTokens: 120 }); // both sessions count
    expect(ws.readyState).toBe(1); // the stream is left for the apology's TwiML to end
  });

  it('an unreadable caller turn is stored as such, not lost', async () => {
    const { session, turns } = setup();
    session().events.inputCommitted?.('item_u');
    session().events.transcriptionFailed?.('item_u', 'audio unclear');
    await until(() => turns.length === 1, 'the turn');
    expect(turns).toEqual(['user: [inaudible: not transcribed]']);
  });

  it('a phone leg that cannot keep up: agent chunks are dropped before they count as sent', () => {
    const { session, ws } = setup();
    ws.bufferedAmount = 300 * 1024;
    session().events.audio('item_a', b64(800), 'resp_1');
    expect(ws.out).toEqual([]);
    ws.bufferedAmount = 0;
    session().events.audio('item_a', b64(800), 'resp_1');
    expect(ws.marks()).toEqual(['item_a:800']);
  });

  it('the Realtime leg closing while the caller hung up finalises once, as the caller hanging up', async () => {
    const { session, ws, ended, hungUp } = setup();
    ws.twilio({ event: 'stop', streamSid: 'MZ1' });
    ws.close();
    session().events.closed('openai closed 1000');
    await until(() => ended.length === 1, 'the call to end');
    expect(session().closed).toBe(true);
    expect(ended.map((e) => e.reason)).toEqual(['caller hung up']);
    expect(hungUp).toEqual(['call-1']);
  });
});

describe('CallBridge near the time limit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tells the model to wrap up 15 s before the limit', () => {
    const { session } = setup({ maxCallSeconds: 60 });
    const s = session();
    s.created('resp_0');
    s.done('resp_0');
    jest.advanceTimersByTime(44_000);
    expect(s.sent).not.toContainEqual(['message', 'system', WRAP_UP_NOTE]);
    jest.advanceTimersByTime(1_000);
    expect(s.sent.slice(-2)).toEqual([['message', 'system', WRAP_UP_NOTE], ['response.create']]);
  });
});
