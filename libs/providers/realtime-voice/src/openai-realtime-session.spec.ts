import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
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
    await waitUntil(() => received.length >= 4);
    // The follow-up waits for the active response to finish: never a response.create while one is active.
    expect(received.slice(1).map((m) => JSON.parse(m))).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 812 },
      { type: 'response.cancel' },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"ok":true}' } },
    ]);
    send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900 }); // nothing is asked for while the caller speaks
    send({
      type: 'response.done',
      response: {
        id: 'resp_1',
        status: 'completed',
        usage: {
          input_tokens: 120,
          output_tokens: 40,
          input_token_details: { text_tokens: 100, audio_tokens: 20, cached_tokens: 64 },
          output_token_details: { text_tokens: 10, audio_tokens: 30 },
        },
      },
    });
    await waitUntil(() => received.length >= 5);
    expect(JSON.parse(received[4]!)).toMatchObject({ type: 'response.create' });
    expect(session.usage).toEqual({
      responses: 1,
      inputTokens: 120,
      outputTokens: 40,
      inputTextTokens: 100,
      inputAudioTokens: 20,
      cachedInputTokens: 64,
      outputTextTokens: 10,
      outputAudioTokens: 30,
    });
    session.close();
  });

  it('parallel tool calls get one response.create; a refused create is retried after the response in the way', async () => {
    holdOpen = Promise.resolve();
    const failed: string[] = [];
    const session = open({ transcriptionFailed: (i, m) => void failed.push(`${i}:${m}`) });
    await waitUntil(() => received.length >= 1 && socket?.readyState === 1);
    const send = (e: object) => socket?.send(JSON.stringify(e));
    const types = () => received.map((m) => (JSON.parse(m) as { type: string }).type);
    send({ type: 'response.created', response: { id: 'resp_1' } });
    for (const id of ['call_a', 'call_b'])
      send({
        type: 'response.output_item.done',
        item: { type: 'function_call', id: `item_${id}`, call_id: id, name: 'x', arguments: '{}' },
      });
    send({ type: 'response.done', response: { id: 'resp_1', status: 'completed' } });
    send({ type: 'conversation.item.input_audio_transcription.failed', item_id: 'item_u', error: { message: 'audio unclear' } });
    await waitUntil(() => failed.length === 1);
    expect(failed).toEqual(['item_u:audio unclear']);
    session.sendToolResult('call_a', { ok: true });
    session.sendToolResult('call_b', { ok: true });
    await waitUntil(() => types().includes('response.create'));
    expect(types().filter((t) => t === 'response.create')).toHaveLength(1);
    const create = JSON.parse(received.find((m) => m.includes('response.create'))!) as { event_id: string };
    // The server started a response of its own (VAD) first and refuses ours: it is sent again once that one is done.
    send({ type: 'error', error: { code: 'conversation_already_has_active_response', event_id: create.event_id, message: 'busy' } });
    send({ type: 'response.created', response: { id: 'resp_vad' } });
    send({ type: 'response.done', response: { id: 'resp_vad', status: 'completed' } });
    await waitUntil(() => types().filter((t) => t === 'response.create').length === 2);
    expect(session.usage.responses).toBe(2);
    session.addMessage({ role: 'user', text: 'The caller keyed 1 2 3 4' });
    await waitUntil(() => types().at(-1) === 'conversation.item.create');
    expect(JSON.parse(received.at(-1)!)).toEqual({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'The caller keyed 1 2 3 4' }] },
    });
    session.close();
  });

  it('keeps at most maxPendingAudioFrames of caller audio while connecting (the oldest goes), control events all', async () => {
    let release!: () => void;
    holdOpen = new Promise((r) => (release = r));
    const session = new OpenAiRealtimeConnector({
      apiKey: 'sk-test',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      model: 'gpt-realtime',
    }).open(
      { instructions: 'x', tools: [], voice: 'sage', maxPendingAudioFrames: 3 },
      { audio: () => undefined, speechStarted: () => undefined, closed: () => undefined },
    );
    for (const a of ['A1', 'A2', 'A3']) session.appendAudio(a);
    session.commitAudio();
    for (const a of ['A4', 'A5']) session.appendAudio(a);
    expect(session.droppedAudioFrames).toBe(2);
    release();
    await waitUntil(() => received.length >= 5);
    expect(received.slice(1).map((m) => JSON.parse(m) as { type: string; audio?: string })).toEqual([
      { type: 'input_audio_buffer.append', audio: 'A3' },
      { type: 'input_audio_buffer.commit' },
      { type: 'input_audio_buffer.append', audio: 'A4' },
      { type: 'input_audio_buffer.append', audio: 'A5' },
    ]);
    session.close();
  });

  it('a handshake that never completes fails within handshakeTimeoutMs and reports the leg closed', async () => {
    // A TCP server that accepts and never answers the upgrade.
    const sockets: Socket[] = [];
    const silent = createNetServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    let closedWith = '';
    new OpenAiRealtimeConnector({
      apiKey: 'sk-test',
      baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      model: 'gpt-realtime',
    }).open(
      { instructions: 'x', tools: [], voice: 'sage', handshakeTimeoutMs: 200 },
      { audio: () => undefined, speechStarted: () => undefined, closed: (r) => (closedWith = r) },
    );
    await waitUntil(() => closedWith !== '');
    expect(closedWith).toMatch(/^openai closed/);
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
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
