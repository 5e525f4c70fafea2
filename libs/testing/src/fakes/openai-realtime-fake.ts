import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ScriptedChatAgent, scriptedReply, type ChatMessage, type ScriptedTurn } from '@recoup/providers/realtime-voice';
import { FRAME_BYTES, encodeSpeech, speechBytes } from './openai-realtime-speech';

export interface FakeRealtimeOptions {
  /** Silent frames that end the caller's turn (server VAD silence_duration_ms / 20). */
  silenceFrames?: number;
  /** Frames per response.output_audio.delta. */
  framesPerDelta?: number;
  /** Pause between deltas (the real API streams faster than real time). */
  deltaIntervalMs?: number;
  charsPerFrame?: number;
  /** Bench hook: called for every input_audio_buffer.append (skips the scripted agent when set). */
  onAppend?: (session: FakeRealtimeSession, payload: string) => void;
}

let seq = 0;
const id = (p: string) => `${p}_${(++seq).toString(36)}${Date.now().toString(36)}`;

/** One connected Realtime socket, with what it received (control events; appends are counted). */
export class FakeRealtimeSession {
  readonly events: Array<Record<string, unknown>> = [];
  readonly truncations: Array<{ item_id: string; audio_end_ms: number }> = [];
  readonly transcripts: Array<{ speaker: 'ai' | 'user'; text: string }> = [];
  appended = 0;
  session: Record<string, unknown> | null = null;
  authorization: string | undefined;
  private speaking = false;
  private silence = 0;
  private heard: Buffer[] = [];
  /** What the caller said in a turn ended by commit, answered by the next response.create. */
  private unanswered: string | null = null;
  private active: { id: string; itemId: string; timer?: NodeJS.Timeout; cancelled: boolean } | null = null;
  private afterTool: ScriptedTurn | null = null;
  private started = false;
  closed = false;
  /** Every error event sent to the client (e.g. a cancel with no active response). */
  readonly errors: Array<{ code?: string; message?: string }> = [];
  /** When the client closed the socket (the end of the call's Realtime leg). */
  closedAt: Date | null = null;
  /** Text message items the client added (replayed turns after a reconnect, keyed digits, system notes). */
  readonly messages: Array<{ role: string; text: string }> = [];
  /** Fault injection: the next caller turn's transcription fails (conversation.item.input_audio_transcription.failed). */
  failNextTranscription = false;

  constructor(
    readonly ws: WebSocket,
    private readonly options: Required<Omit<FakeRealtimeOptions, 'onAppend'>> & Pick<FakeRealtimeOptions, 'onAppend'>,
  ) {
    this.send({ type: 'session.created', session: { type: 'realtime' } });
  }

  send(event: Record<string, unknown>): void {
    if (event.type === 'error') this.errors.push((event.error ?? {}) as { code?: string; message?: string });
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(event));
  }

  handle(raw: string): void {
    if (raw.startsWith('{"type":"input_audio_buffer.append"')) {
      const audio = raw.slice(raw.indexOf('"audio":"') + 9, raw.lastIndexOf('"'));
      this.appended++;
      if (this.options.onAppend) return this.options.onAppend(this, audio);
      return this.hear(audio);
    }
    const event = JSON.parse(raw) as Record<string, unknown> & { type: string };
    this.events.push(event);
    switch (event.type) {
      case 'session.update':
        this.session = event.session as Record<string, unknown>;
        this.send({ type: 'session.updated', session: event.session });
        break;
      case 'response.create':
        if (this.active) {
          // As OpenAI: a second response while one is active is refused (and the follow-up lost if the client ignores it).
          this.send({
            type: 'error',
            error: {
              type: 'invalid_request_error',
              code: 'conversation_already_has_active_response',
              message: 'Conversation already has an active response in progress',
              event_id: event.event_id,
            },
          });
          break;
        }
        if (this.unanswered !== null) {
          const text = this.unanswered;
          this.unanswered = null;
          this.respond(this.replyTo(text));
        } else this.respond(this.nextTurn());
        break;
      case 'input_audio_buffer.commit':
        if (this.speaking || this.heard.length > 0) this.endTurn(false);
        else
          this.send({
            type: 'error',
            error: { type: 'invalid_request_error', code: 'input_audio_buffer_commit_empty', message: 'buffer too small' },
          });
        break;
      case 'response.cancel':
        if (this.active) this.stopResponse('cancelled');
        else
          this.send({
            type: 'error',
            error: {
              type: 'invalid_request_error',
              code: 'response_cancel_not_active',
              message: 'Cancellation failed: no active response found',
            },
          });
        break;
      case 'conversation.item.truncate': {
        const t = { item_id: String(event.item_id), audio_end_ms: Number(event.audio_end_ms) };
        this.truncations.push(t);
        this.send({ type: 'conversation.item.truncated', ...t, content_index: 0 });
        break;
      }
      case 'conversation.item.create': {
        const item = event.item as { type?: string; call_id?: string; output?: string; role?: string; content?: Array<{ text?: string }> };
        this.send({ type: 'conversation.item.added', item: { id: id('item'), ...item } });
        // A text message from the caller's side (keyed digits, a replayed turn): the next response.create answers it.
        if (item.type === 'message') {
          const text = item.content?.map((c) => c.text ?? '').join(' ') ?? '';
          this.messages.push({ role: String(item.role), text });
          if (item.role === 'user') this.unanswered = text;
          if (item.role === 'assistant') {
            this.unanswered = null; // answered (a replayed conversation), and the opening was said
            this.started = true;
          }
        }
        break;
      }
      default:
        break;
    }
  }

  private nextTurn(): ScriptedTurn {
    if (this.afterTool) {
      const t = this.afterTool;
      this.afterTool = null;
      return t;
    }
    if (!this.started) {
      this.started = true;
      const instructions = String(this.session?.instructions ?? '');
      const opening = /^OPENING: (.*)$/m.exec(instructions)?.[1];
      return { say: opening ?? 'Hello, this is an automated assistant. This call is recorded.' };
    }
    return { say: 'Is there anything else I can help with?' };
  }

  /** Server VAD on the fake "speech": a non-silent frame starts a turn, N silent frames end it. */
  private hear(payload: string): void {
    const bytes = speechBytes(payload);
    if (bytes.length > 0) {
      this.silence = 0;
      this.heard.push(bytes);
      if (!this.speaking) {
        this.speaking = true;
        this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: this.appended * 20, item_id: id('item') });
        // interrupt_response: true — the server cancels its own response when the caller talks.
        if (this.active) this.stopResponse('cancelled');
      }
      return;
    }
    if (!this.speaking) return;
    if (++this.silence < this.options.silenceFrames) return;
    this.endTurn(true);
  }

  /**
   * The caller's turn ends: by server VAD (silence; a response follows on its own) or by the client's
   * input_audio_buffer.commit (no automatic response: the client sends response.create, answered with this turn).
   */
  private endTurn(respond: boolean): void {
    this.speaking = false;
    this.silence = 0;
    const text = Buffer.concat(this.heard).toString('utf8').trim();
    this.heard = [];
    const itemId = id('item');
    this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: this.appended * 20, item_id: itemId });
    this.send({ type: 'input_audio_buffer.committed', item_id: itemId });
    this.send({ type: 'conversation.item.added', item: { id: itemId, type: 'message', role: 'user' } });
    if (this.failNextTranscription) {
      this.failNextTranscription = false;
      this.send({
        type: 'conversation.item.input_audio_transcription.failed',
        item_id: itemId,
        content_index: 0,
        error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'Audio could not be transcribed' },
      });
    } else {
      this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0, transcript: text });
    }
    this.transcripts.push({ speaker: 'user', text });
    if (!respond) {
      this.unanswered = text;
      return;
    }
    if (!this.active) this.respond(this.replyTo(text));
  }

  private replyTo(text: string): ScriptedTurn {
    const amount = Number(/(\d+(?:\.\d{1,2})?) is outstanding/.exec(String(this.session?.instructions ?? ''))?.[1] ?? NaN);
    return scriptedReply(text, { amount: Number.isFinite(amount) ? amount : undefined });
  }

  private respond(turn: ScriptedTurn): void {
    const responseId = id('resp');
    const itemId = id('item');
    const active = { id: responseId, itemId, cancelled: false } as NonNullable<typeof this.active>;
    this.active = active;
    this.send({ type: 'response.created', response: { id: responseId, status: 'in_progress' } });
    this.send({ type: 'conversation.item.added', item: { id: itemId, type: 'message', role: 'assistant' } });
    const frames = turn.say ? encodeSpeech(turn.say, this.options.charsPerFrame) : [];
    const cpf = this.options.charsPerFrame;
    const said = Buffer.from(turn.say ?? '', 'utf8');
    let i = 0;
    const step = () => {
      if (active.cancelled || this.closed) return;
      if (i < frames.length) {
        const chunk = frames.slice(i, i + this.options.framesPerDelta).map((f) => Buffer.from(f, 'base64'));
        // The words of this chunk, as OpenAI streams the transcript alongside the audio.
        const words = said.subarray(i * cpf, (i + chunk.length) * cpf).toString('utf8');
        i += this.options.framesPerDelta;
        this.send({
          type: 'response.output_audio_transcript.delta',
          response_id: responseId,
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: words,
        });
        this.send({
          type: 'response.output_audio.delta',
          response_id: responseId,
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: Buffer.concat(chunk).toString('base64'),
        });
        active.timer = setTimeout(step, this.options.deltaIntervalMs);
        return;
      }
      if (turn.say) {
        this.send({ type: 'response.output_audio.done', response_id: responseId, item_id: itemId });
        this.send({ type: 'response.output_audio_transcript.done', response_id: responseId, item_id: itemId, transcript: turn.say });
        this.transcripts.push({ speaker: 'ai', text: turn.say });
      }
      if (turn.tool) {
        const callId = id('call');
        this.send({
          type: 'response.output_item.done',
          response_id: responseId,
          item: {
            id: id('item'),
            type: 'function_call',
            status: 'completed',
            call_id: callId,
            name: turn.tool.name,
            arguments: JSON.stringify(turn.tool.arguments),
          },
        });
        // After a dispute or a stop request the agent ends the call; otherwise it asks if anything else.
        this.afterTool = ['record_dispute', 'opt_out', 'end_call'].includes(turn.tool.name)
          ? { say: '', tool: turn.tool.name === 'end_call' ? undefined : { name: 'end_call', arguments: { reason: turn.tool.name } } }
          : { say: 'Is there anything else?' };
      }
      this.active = null;
      this.send({ type: 'response.done', response: { id: responseId, status: 'completed', usage: this.usageOf(said.length) } });
    };
    active.timer = setTimeout(step, 0);
  }

  private stopResponse(status: string): void {
    const a = this.active;
    if (!a) return;
    a.cancelled = true;
    if (a.timer) clearTimeout(a.timer);
    this.active = null;
    this.send({ type: 'response.done', response: { id: a.id, status, usage: this.usageOf(0) } });
  }

  /** Usage as response.done reports it (deterministic: from the characters spoken). */
  private usageOf(chars: number): Record<string, unknown> {
    const audio = Math.ceil(chars / 2);
    const text = Math.ceil(chars / 4);
    return {
      total_tokens: 100 + audio + text,
      input_tokens: 100,
      output_tokens: audio + text,
      input_token_details: { text_tokens: 80, audio_tokens: 20, cached_tokens: 64 },
      output_token_details: { text_tokens: text, audio_tokens: audio },
    };
  }

  /** Fault injection: the socket drops (as OpenAI closing with 1011). */
  drop(code = 1011, reason = 'injected failure'): void {
    this.ws.close(code, reason);
  }

  /** Bench: push agent audio for an item straight to the bridge. */
  sendAudio(itemId: string, payload: string): void {
    if (this.ws.readyState === this.ws.OPEN)
      this.ws.send('{"type":"response.output_audio.delta","item_id":"' + itemId + '","delta":"' + payload + '"}');
  }

  dispose(): void {
    if (!this.closed) this.closedAt = new Date();
    this.closed = true;
    if (this.active?.timer) clearTimeout(this.active.timer);
  }
}

/**
 * A loopback OpenAI: the GA Realtime WebSocket (`/v1/realtime`) with a scripted agent, and
 * `/v1/chat/completions` for the Gather flow's SDK adapter. For tests and `npm start` sandbox mode.
 */
export class FakeOpenAiRealtimeServer {
  readonly sessions: FakeRealtimeSession[] = [];
  readonly chatRequests: Array<Record<string, unknown>> = [];
  /** Fault injection: the next N Realtime sockets are closed (1011) as soon as they open. */
  dropNextConnections = 0;
  private server?: Server;
  private wss?: WebSocketServer;
  private readonly options: Required<Omit<FakeRealtimeOptions, 'onAppend'>> & Pick<FakeRealtimeOptions, 'onAppend'>;
  private readonly chat = new ScriptedChatAgent();

  constructor(options: FakeRealtimeOptions = {}) {
    this.options = { silenceFrames: 10, framesPerDelta: 5, deltaIntervalMs: 5, charsPerFrame: 2, ...options };
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.http(req, res));
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/v1/realtime')) return socket.destroy();
      this.wss?.handleUpgrade(req, socket, head, (ws) => {
        if (this.dropNextConnections > 0) {
          this.dropNextConnections--;
          ws.close(1011, 'injected failure');
          return;
        }
        const s = new FakeRealtimeSession(ws, this.options);
        s.authorization = req.headers.authorization;
        this.sessions.push(s);
        ws.on('message', (d) => {
          try {
            s.handle(d.toString());
          } catch {
            s.send({ type: 'error', error: { type: 'invalid_request_error', message: 'bad event' } });
          }
        });
        ws.on('close', () => {
          s.dispose();
          // A long-running sandbox (npm start) must not keep every session it ever served.
          setTimeout(() => {
            const i = this.sessions.indexOf(s);
            if (i >= 0) this.sessions.splice(i, 1);
          }, 10 * 60_000).unref();
        });
      });
    });
    await new Promise<void>((r) => this.server?.listen(port, '127.0.0.1', r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const c of req) body += c;
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const parsed = JSON.parse(body) as { messages: Array<{ role: string; content?: string; tool_call_id?: string }> };
      this.chatRequests.push(parsed);
      const messages: ChatMessage[] = parsed.messages.flatMap((m): ChatMessage[] =>
        m.role === 'user'
          ? [{ role: 'user', content: m.content ?? '' }]
          : m.role === 'tool'
            ? [{ role: 'tool', toolCallId: m.tool_call_id ?? '', content: m.content ?? '' }]
            : m.role === 'assistant'
              ? [{ role: 'assistant', content: m.content ?? '' }]
              : [],
      );
      const reply = await this.chat.reply({ messages });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: id('chatcmpl'),
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'fake',
          choices: [
            {
              index: 0,
              finish_reason: reply.toolCalls.length ? 'tool_calls' : 'stop',
              message: {
                role: 'assistant',
                content: reply.text,
                ...(reply.toolCalls.length
                  ? {
                      tool_calls: reply.toolCalls.map((c) => ({
                        id: c.id,
                        type: 'function',
                        function: { name: c.name, arguments: c.arguments },
                      })),
                    }
                  : {}),
              },
            },
          ],
        }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found"}}');
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.dispose();
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export { FRAME_BYTES };
