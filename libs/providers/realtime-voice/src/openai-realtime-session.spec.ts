import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { OpenAiRealtimeConnector } from './openai-realtime-session';
import type { FunctionCall, RealtimeSessionEvents } from './realtime-voice.port';
import { ScriptedChatAgent, scriptedReply } from './scripted-agent';

describe('OpenAiRealtimeConnector on a loopback Realtime socket (GA protocol)', () => {
  let server: Server;
  let wss: WebSocketServer;
  let upgrade: IncomingMessage | undefined;
  let received: string[] = [];
  let socket: WebSocket | undefined;
  let holdOpen: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    server = createServer();
    wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, sock, head) => {
      upgrade = req;
      // Accept only once the test lets go: audio sent meanwhile must be buffered, not dropped.
      void holdOpen.then(() =>
        wss.handleUpgrade(req, sock, head, (ws) => {
          socket = ws;
          ws.on('message', (d) => received.push(d.toString()));
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => (received = []));

  const open = (events: Partial<RealtimeSessionEvents> = {}) =>
    new OpenAiRealtimeConnector({
      apiKey: 'sk-test',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      model: 'gpt-realtime',
    }).open(
      {
        instructions: 'Be polite.',
        tools: [{ name: 'end_call', description: 'hang up', parameters: { type: 'object', properties: {} } }],
        voice: 'sage',
        speakFirst: false,
      },
      { audio: () => undefined, speechStarted: () => undefined, closed: () => undefined, ...events },
    );

  it('configures a GA session (no beta header, audio/pcmu both ways, server VAD) and delivers early audio in order', async () => {
    let release!: () => void;
    holdOpen = new Promise((r) => (release = r));
    const session = open();
    session.appendAudio('AAAA');
    session.appendAudio('BBBB');
    release();
    await waitUntil(() => received.length >= 3);
    expect(upgrade?.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(upgrade?.headers.authorization).toBe('Bearer sk-test');
    expect(upgrade?.headers['openai-beta']).toBeUndefined();
    const update = JSON.parse(received[0]!);
    expect(update.type).toBe('session.update');
    expect(update.session).toMatchObject({
      type: 'realtime',
      instructions: 'Be polite.',
      audio: {
        input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad' } },
        output: { format: { type: 'audio/pcmu' }, voice: 'sage' },
      },
      tools: [{ type: 'function', name: 'end_call' }],
    });
    expect(received.slice(1, 3).map((m) => JSON.parse(m))).toEqual([
      { type: 'input_audio_buffer.append', audio: 'AAAA' },
      { type: 'input_audio_buffer.append', audio: 'BBBB' },
    ]);
    session.close();
  });

  it('maps GA server events to the port and sends truncate / tool results', async () => {
    holdOpen = Promise.resolve();
    const audio: Array<[string, string]> = [];
    const calls: FunctionCall[] = [];
    let speech = 0;
    const transcripts: string[] = [];
    const session = open({
      audio: (i, p) => void audio.push([i, p]),
      speechStarted: () => void speech++,
      functionCall: (c) => void calls.push(c),
      userTranscript: (_i, t) => void transcripts.push(`user:${t}`),
      agentTranscript: (_i, t) => void transcripts.push(`ai:${t}`),
    });
    await waitUntil(() => received.length >= 1 && socket?.readyState === 1);
    const send = (e: object) => socket?.send(JSON.stringify(e));
    send({ type: 'response.created', response: { id: 'resp_1' } });
    send({ type: 'response.output_audio.delta', item_id: 'item_1', delta: 'UVVV' });
    socket?.send('{"type":"response.output_audio.delta","item_id":"item_1","delta":"ab\\/c"}'); // escaped "/" takes the full parse
    send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100 });
    send({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_2', transcript: ' yes ' });
    send({ type: 'response.output_audio_transcript.done', item_id: 'item_1', transcript: 'Hello' });
    send({
      type: 'response.output_item.done',
      item: { type: 'function_call', id: 'item_3', call_id: 'call_1', name: 'end_call', arguments: '{}' },
    });
    await waitUntil(() => calls.length === 1);
    expect(session.responding).toBe(true);
    expect(audio).toEqual([
      ['item_1', 'UVVV'],
      ['item_1', 'ab/c'],
    ]);
    expect(speech).toBe(1);
    expect(transcripts).toEqual(['user:yes', 'ai:Hello']);
    session.truncate('item_1', 812.9);
    session.cancelResponse();
    session.sendToolResult('call_1', { ok: true });
    await waitUntil(() => received.length >= 5);
    expect(received.slice(1).map((m) => JSON.parse(m))).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 812 },
      { type: 'response.cancel' },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"ok":true}' } },
      { type: 'response.create' },
    ]);
    session.close();
  });
});

describe('scripted sandbox agent', () => {
  it('picks the tool a model would call from the debtor’s words', async () => {
    expect(scriptedReply('I dispute this').tool?.name).toBe('record_dispute');
    expect(scriptedReply("I'll pay on Friday", { amount: 120 }).tool).toMatchObject({
      name: 'record_promise_to_pay',
      arguments: { amount: 120 },
    });
    expect(scriptedReply('can I pay in monthly instalments').tool?.name).toBe('propose_payment_plan');
    expect(scriptedReply('please stop calling').tool?.name).toBe('opt_out');
    const reply = await new ScriptedChatAgent().reply({ messages: [{ role: 'user', content: 'text me the link' }] });
    expect(reply.toolCalls[0]?.name).toBe('send_payment_link');
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
