import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import type { CallModel } from '@recoup/db';
import { createLogger } from '@recoup/observability';
import type { RealtimeSessionEvents, RealtimeVoiceConnector, RealtimeVoiceSession } from '@recoup/providers/realtime-voice';
import type { CallTools } from '../calls/call-tools';
import { CallBridge, type BridgeDeps } from './call-bridge';

class FakeSession implements RealtimeVoiceSession {
  readonly sent: unknown[] = [];
  responding = false;
  closed = false;
  appendAudio(payload: string) {
    this.sent.push(['append', payload]);
  }
  commitAudio() {
    this.sent.push(['commit']);
  }
  createResponse() {
    this.sent.push(['response.create']);
  }
  cancelResponse() {
    this.sent.push(['response.cancel']);
  }
  truncate(itemId: string, ms: number) {
    this.sent.push(['truncate', itemId, ms]);
  }
  sendToolResult(callId: string, output: unknown, respond?: boolean) {
    this.sent.push(['tool', callId, output, respond]);
  }
  close() {
    this.closed = true;
  }
}

class FakeTwilioSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly out: Array<Record<string, unknown>> = [];
  send(data: string) {
    this.out.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.emit('close');
  }
  /** A message from Twilio. */
  twilio(message: Record<string, unknown>) {
    this.emit('message', Buffer.from(JSON.stringify(message)));
  }
}

/** Waits for the bridge to finalise (the drain after a hang-up ends on quiet, within its 3 s bound). */
async function waitForEnded(ended: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (ended.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const b64 = (bytes: number) => Buffer.alloc(bytes, 0xff).toString('base64');

function setup() {
  const session = new FakeSession();
  let events!: RealtimeSessionEvents;
  const connector: RealtimeVoiceConnector = {
    provider: 'sandbox',
    open: (_config, e) => {
      events = e;
      return session;
    },
  };
  const ended: string[] = [];
  const hungUp: string[] = [];
  const deps: BridgeDeps = {
    connector,
    tools: { run: async () => ({ ok: true, message: 'done', endCall: false }) } as unknown as CallTools,
    logger: createLogger({ service: 'test', level: 'silent' }),
    voice: 'sage',
    maxCallSeconds: 120,
    saveTurn: async () => undefined,
    onEnded: async (id, reason) => void ended.push(`${id}:${reason}`),
    hangup: async (id) => void hungUp.push(id),
  };
  const bridge = new CallBridge({ id: 'call-1' } as CallModel, 'instructions', deps);
  const ws = new FakeTwilioSocket();
  bridge.attachTwilio(ws as unknown as WebSocket, 'MZ1');
  const settle = () => new Promise((r) => setImmediate(r));
  return { session, events, ws, bridge, ended, hungUp, settle };
}

describe('CallBridge', () => {
  it('passes caller frames through as appends and agent audio out as media followed by a mark of the bytes sent', () => {
    const { session, events, ws } = setup();
    expect(session.sent).toEqual([['response.create']]); // the agent speaks first
    ws.twilio({
      event: 'media',
      sequenceNumber: '2',
      media: { track: 'inbound', chunk: '1', timestamp: '20', payload: 'QUJD' },
      streamSid: 'MZ1',
    });
    expect(session.sent.at(-1)).toEqual(['append', 'QUJD']);
    events.audio('item_a', b64(800));
    events.audio('item_a', b64(800));
    expect(ws.out).toEqual([
      { event: 'media', streamSid: 'MZ1', media: { payload: b64(800) } },
      { event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:800' } },
      { event: 'media', streamSid: 'MZ1', media: { payload: b64(800) } },
      { event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:1600' } },
    ]);
  });

  it('barge-in: clear, cancel, truncate at the acknowledged position; late audio and flushed marks of that item are dropped', () => {
    const { session, events, ws } = setup();
    session.responding = true;
    for (let i = 0; i < 3; i++) events.audio('item_a', b64(800));
    ws.twilio({ event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:800' } });
    events.speechStarted();
    expect(ws.out.at(-1)).toEqual({ event: 'clear', streamSid: 'MZ1' });
    expect(session.sent.slice(-2)).toEqual([['response.cancel'], ['truncate', 'item_a', 100]]);
    const before = ws.out.length;
    ws.twilio({ event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:2400' } }); // flushed by clear: never heard
    events.audio('item_a', b64(800)); // generated before the cancel landed
    expect(ws.out.length).toBe(before);
    events.audio('item_b', b64(160)); // the next response plays
    expect(ws.out.at(-1)).toEqual({ event: 'mark', streamSid: 'MZ1', mark: { name: 'item_b:160' } });
  });

  it('does not cut an item that was fully heard when nothing more is coming', () => {
    const { session, events, ws } = setup();
    events.audio('item_a', b64(800));
    ws.twilio({ event: 'mark', streamSid: 'MZ1', mark: { name: 'item_a:800' } });
    events.speechStarted();
    expect(session.sent.some((s) => Array.isArray(s) && (s[0] === 'truncate' || s[0] === 'response.cancel'))).toBe(false);
    expect(ws.out.some((m) => m.event === 'clear')).toBe(false);
  });

  it('the caller hanging up closes the Realtime leg and finalises once', async () => {
    const { session, ws, ended, hungUp, events, settle } = setup();
    ws.twilio({ event: 'stop', streamSid: 'MZ1' });
    ws.close();
    events.closed('openai closed 1000');
    await settle();
    await settle();
    expect(session.closed).toBe(true);
    expect(ended).toEqual(['call-1:caller hung up']);
    expect(hungUp).toEqual(['call-1']);
  });

  it('words said just before hanging up still count: a tool call arriving after the stop is run before the call ends', async () => {
    const { session, ws, ended, events } = setup();
    ws.twilio({ event: 'stop', streamSid: 'MZ1' });
    ws.close();
    expect(session.closed).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    events.userTranscript!('item_u', 'I dispute this invoice');
    events.functionCall!({ callId: 'fc_1', name: 'record_dispute', arguments: '{"reason":"never ordered"}' });
    await waitForEnded(ended);
    expect(session.sent).toContainEqual(['tool', 'fc_1', { ok: true, message: 'done' }, true]);
    expect(session.closed).toBe(true);
    expect(ended).toEqual(['call-1:caller hung up']);
  });

  it('the Realtime leg closing closes the phone leg and finalises once', async () => {
    const { ws, events, ended, settle } = setup();
    events.closed('openai closed 1011');
    await settle();
    await settle();
    expect(ws.readyState).toBe(3);
    expect(ended).toEqual(['call-1:openai leg closed (openai closed 1011)']);
  });
});
