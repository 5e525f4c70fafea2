import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallModel } from '@recoup/db';
import { createLogger } from '@recoup/observability';
import { OpenAiRealtimeConnector } from '@recoup/providers/realtime-voice';
import { FakeOpenAiRealtimeServer, type FakeRealtimeSession, waitFor } from '@recoup/testing';
import type { CallTools } from '../calls/call-tools';
import { MediaStreamClient } from '../../test/media-stream-client';
import { APOLOGY, RECONNECT_NOTE, type BridgeResult } from './call-bridge';
import { CallRegistry } from './media-streams';

/**
 * The bridge between two loopback fakes, no database: the fake OpenAI Realtime server (GA events, server VAD on fake
 * speech, scripted agent) and a hand-driven Twilio media stream client that plays agent audio only when told, so
 * each test decides what the caller has heard.
 */
const OPENING = 'Hello, this is Acme calling about your account. Is that Sam?';
const CHUNK = 800; // the fake streams 5 frames (160 bytes, 2 characters each) per delta

describe('CallBridge over loopback Twilio and OpenAI fakes', () => {
  let openai: FakeOpenAiRealtimeServer;
  let server: Server;
  let url: string;
  let registry: CallRegistry;
  const turns = new Map<string, string[]>();
  const ended = new Map<string, { reason: string; result: BridgeResult }>();
  const keys: string[] = [];
  const said: string[] = [];
  const toolsRun: string[] = [];
  let n = 0;
  const clients: MediaStreamClient[] = [];

  beforeAll(async () => {
    openai = await new FakeOpenAiRealtimeServer({ silenceFrames: 4, deltaIntervalMs: 1 }).start();
    registry = new CallRegistry({
      connector: new OpenAiRealtimeConnector({ apiKey: 'sk-test', baseUrl: openai.url, model: 'gpt-realtime', provider: 'sandbox' }),
      tools: {
        run: async (_call: CallModel, name: string) => {
          toolsRun.push(name);
          return { ok: true, message: `${name} done`, endCall: name === 'record_dispute' || name === 'end_call' };
        },
      } as unknown as CallTools,
      logger: createLogger({ service: 'test', level: 'silent' }),
      voice: 'sage',
      maxCallSeconds: 600,
      saveTurn: async (callId, speaker, text) => void turns.set(callId, [...(turns.get(callId) ?? []), `${speaker}: ${text}`]),
      onEnded: async (callId, reason, result) => void ended.set(callId, { reason, result }),
      hangup: async () => undefined,
      sayAndHangUp: async (_callId, text) => void said.push(text),
      onDtmf: (_call, digit) => void keys.push(digit),
      claimStream: async (callId) =>
        ({
          id: callId,
          kind: 'ai',
          params: { instructions: `OPENING: ${OPENING}` },
          providerCallSid: null,
          endedAt: null,
          outcome: null,
        }) as unknown as CallModel,
      loadCall: async () => null,
      verifyUpgrade: () => true,
    });
    server = createServer((_req, res) => res.end());
    registry.attach(server, createLogger({ service: 'test', level: 'silent' }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/media-stream`;
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await registry.drain(0);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await openai.stop();
  });

  /** A connected call whose opening has been generated and is held, unplayed, at the fake phone. */
  async function call(): Promise<{ id: string; client: MediaStreamClient; session: FakeRealtimeSession }> {
    const id = `call-${++n}`;
    const before = openai.sessions.length;
    const client = new MediaStreamClient(url, { call_id: id, token: 'token' });
    clients.push(client);
    const session = await waitFor(() => openai.sessions[before], { what: 'the Realtime session' });
    await waitFor(() => client.heldBytes === Math.ceil(OPENING.length / 2) * 160, { what: 'the opening to reach the phone' });
    return { id, client, session };
  }

  it('barge-in over two queued items: both cut at what was heard (A part-way, B at 0), the stored turn is exactly what played', async () => {
    const { id, client, session } = await call();
    const opening = session.transcripts[0]!;
    client.play(2 * CHUNK); // the caller hears 400 ms of the opening...
    client.dtmf('12#'); // ...keys digits, which the model answers with a second item queued behind the first
    await waitFor(() => session.transcripts.filter((t) => t.speaker === 'ai').length === 2, {
      what: 'the answer to the keyed digits',
    });
    await waitFor(() => client.heldBytes > (Math.ceil(OPENING.length / 2) - 10) * 160, { what: 'the second item at the phone' });
    expect(session.messages).toContainEqual({ role: 'user', text: '[The caller keyed 1 2 on the phone keypad then #]' });
    expect(keys).toEqual(['1', '2', '#']);
    client.say('Sorry, what?');
    await waitFor(() => session.truncations.length === 2, { what: 'both items to be truncated' });
    const [a, b] = session.truncations;
    const itemA = [...client.heard.keys()][0]!;
    expect(a).toEqual({ item_id: itemA, audio_end_ms: 200 });
    expect(b?.audio_end_ms).toBe(0);
    expect(client.clears).toBe(1);
    // What the caller heard of A, marked; nothing stored for B, which they never heard.
    expect(client.heard.get(itemA)).toBe(opening.text.slice(0, 20));
    await waitFor(() => turns.get(id)?.some((t) => t.startsWith('user: Sorry')), { what: "the caller's turn" });
    // Turns are stored as they end: the keys were pressed while the opening was still playing.
    expect(turns.get(id)).toEqual([
      'user: [The caller keyed 1 2 on the phone keypad then #]',
      `ai: ${opening.text.slice(0, 20).trim()} [interrupted]`,
      'user: Sorry, what?',
    ]);
    expect(session.errors.filter((e) => e.code !== 'response_cancel_not_active')).toEqual([]);
    client.stop();
    await waitFor(() => ended.get(id), { what: 'the call to end' });
  });

  it('end_call: the goodbye is never cut — the call ends only once its last mark has played', async () => {
    const { id, client, session } = await call();
    client.play();
    client.say('I dispute this invoice.');
    await waitFor(
      () => toolsRun.filter((t) => t === 'end_call').length > 0 && session.events.some((e) => e.type === 'conversation.item.create'),
      {
        what: 'record_dispute and end_call to run',
      },
    );
    await waitFor(() => session.transcripts.filter((t) => t.speaker === 'ai').length === 2 && client.heldBytes > 0, {
      what: 'the goodbye at the phone',
    });
    // The goodbye is held at the phone (not played yet): the call stays up whatever else has finished.
    await waitFor(() => session.events.filter((e) => e.type === 'conversation.item.create').length === 2, { what: 'both tool outputs' });
    expect(client.closed).toBe(false);
    expect(ended.has(id)).toBe(false);
    client.play();
    await waitFor(() => client.closed && ended.get(id), { what: 'the call to end' });
    expect(ended.get(id)?.reason).toBe('agent ended the call');
    const goodbye = session.transcripts.filter((t) => t.speaker === 'ai')[1]!.text;
    expect([...client.heard.values()].at(-1)).toBe(goodbye);
    expect(turns.get(id)?.at(-1)).toBe(`ai: ${goodbye}`);
  });

  it('the last words before hanging up count: the turn is committed, transcribed and its tool call run before the leg closes', async () => {
    const { id, client, session } = await call();
    client.play();
    const before = toolsRun.length;
    client.say('I dispute this invoice, we never ordered it.', 0); // no silence: they hang up mid-breath
    client.stop();
    const end = await waitFor(() => ended.get(id), { what: 'the call to end' });
    expect(end.reason).toBe('caller hung up');
    expect(session.events.some((e) => e.type === 'input_audio_buffer.commit')).toBe(true);
    expect(toolsRun.slice(before)).toContain('record_dispute');
    expect(turns.get(id)).toContain('user: I dispute this invoice, we never ordered it.');
    await waitFor(() => session.closed, { what: 'the Realtime leg to close' });
  });

  it('OpenAI dropping: one reconnect with the conversation so far; a second drop has Twilio apologise; usage of both sessions counts', async () => {
    const { id, client, session } = await call();
    client.play();
    await waitFor(() => turns.get(id)?.length === 1, { what: 'the opening stored' });
    const before = openai.sessions.length;
    session.drop();
    const second = await waitFor(() => openai.sessions[before], { what: 'the reopened session' });
    await waitFor(() => second.transcripts.some((t) => t.speaker === 'ai'), { what: 'the agent to carry on' });
    expect(second.messages).toEqual([
      { role: 'assistant', text: OPENING },
      { role: 'system', text: RECONNECT_NOTE },
    ]);
    await waitFor(() => client.heldBytes > 0, { what: 'the agent to be heard again' });
    second.drop();
    const end = await waitFor(() => ended.get(id), { what: 'the call to end' });
    expect(said).toContain(APOLOGY);
    expect(client.closed).toBe(false); // left for the apology's TwiML (Twilio ends the stream when it takes over)
    expect(end.reason).toMatch(/^openai leg closed/);
    expect(end.result.reconnects).toBe(1);
    expect(end.result.usage.responses).toBeGreaterThanOrEqual(2);
    expect(end.result.usage.outputAudioTokens).toBeGreaterThan(0);
  });
});
