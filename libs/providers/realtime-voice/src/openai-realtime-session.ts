import WebSocket from 'ws';
import { ResponseSequencer } from './response-sequencer';
import {
  emptyUsage,
  type ConversationMessage,
  type FunctionCall,
  type RealtimeSessionConfig,
  type RealtimeSessionEvents,
  type RealtimeUsage,
  type RealtimeVoiceConnector,
  type RealtimeVoiceSession,
} from './realtime-voice.port';

/** Send-buffer high-water mark: above it caller frames are dropped (counted) rather than queued behind a stall. */
const AUDIO_HIGH_WATER_BYTES = 64 * 1024;
/** A socket this far behind is dead in all but name: it is closed (the bridge then reconnects or ends the call). */
const STALLED_BYTES = 1024 * 1024;
const APPEND_PREFIX = '{"type":"input_audio_buffer.append"';

export interface OpenAiRealtimeOptions {
  apiKey: string;
  /** https://api.openai.com (default) or a loopback fake; http(s) is turned into ws(s). A function is read per call (a fake that starts later). */
  baseUrl?: string | (() => string);
  model: string;
  /** 'openai' for the real API, 'sandbox' for the in-process fake. */
  provider?: 'openai' | 'sandbox';
}

/** Builds the GA `session.update` (no OpenAI-Beta header, `session.type: "realtime"`, audio/pcmu both ways). */
export function sessionUpdate(config: RealtimeSessionConfig): Record<string, unknown> {
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: ['audio'],
      instructions: config.instructions,
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: { model: config.transcriptionModel ?? 'gpt-4o-mini-transcribe', language: 'en' },
          turn_detection: {
            type: 'server_vad',
            threshold: config.vad?.threshold ?? 0.6,
            silence_duration_ms: config.vad?.silenceDurationMs ?? 500,
            prefix_padding_ms: config.vad?.prefixPaddingMs ?? 300,
            create_response: true,
            interrupt_response: true,
          },
          // Phone audio: near-field suppression misfires less on background noise than none at all.
          noise_reduction: { type: 'near_field' },
        },
        output: { format: { type: 'audio/pcmu' }, voice: config.voice },
      },
      tools: config.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters })),
      tool_choice: 'auto',
      max_output_tokens: config.maxOutputTokens ?? 1024,
      // Long calls: drop the oldest turns rather than let context (latency, cost) grow.
      truncation: 'auto',
    },
  };
}

function realtimeUrl(baseUrl: string, model: string): string {
  const u = new URL(baseUrl);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/+$/, '') + (u.pathname.endsWith('/v1') || u.pathname.endsWith('/v1/') ? '/realtime' : '/v1/realtime');
  u.searchParams.set('model', model);
  return u.toString();
}

interface UsageWire {
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: { text_tokens?: number; audio_tokens?: number; cached_tokens?: number };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
}

interface ServerEvent {
  type: string;
  delta?: string;
  item_id?: string;
  response_id?: string;
  transcript?: string;
  response?: { id?: string; status?: string; usage?: UsageWire };
  item?: { type?: string; id?: string; call_id?: string; name?: string; arguments?: string; status?: string };
  error?: { message?: string; code?: string; event_id?: string };
}

function addUsage(total: RealtimeUsage, u: UsageWire | undefined): void {
  total.responses++;
  if (!u) return;
  total.inputTokens += u.input_tokens ?? 0;
  total.outputTokens += u.output_tokens ?? 0;
  total.inputTextTokens += u.input_token_details?.text_tokens ?? 0;
  total.inputAudioTokens += u.input_token_details?.audio_tokens ?? 0;
  total.cachedInputTokens += u.input_token_details?.cached_tokens ?? 0;
  total.outputTextTokens += u.output_token_details?.text_tokens ?? 0;
  total.outputAudioTokens += u.output_token_details?.audio_tokens ?? 0;
}

/** A conversation item carrying text (GA content types: input_text for user and system, output_text for assistant). */
export function messageItem(message: ConversationMessage): Record<string, unknown> {
  return {
    type: 'conversation.item.create',
    item: {
      type: 'message',
      role: message.role,
      content: [{ type: message.role === 'assistant' ? 'output_text' : 'input_text', text: message.text }],
    },
  };
}

/** One call's Realtime socket. Nothing is shared between sessions (one call's failure stays its own). */
class OpenAiRealtimeSession implements RealtimeVoiceSession {
  private readonly ws: WebSocket;
  private pending: string[] = [];
  private pendingAudio = 0;
  private open = false;
  private closed = false;
  private readonly sequencer = new ResponseSequencer(() =>
    this.send('{"type":"response.create","event_id":"' + this.createEventId() + '"}'),
  );
  private creates = 0;
  readonly usage: RealtimeUsage = emptyUsage();
  droppedAudioFrames = 0;

  constructor(
    url: string,
    apiKey: string,
    private readonly config: RealtimeSessionConfig,
    private readonly events: RealtimeSessionEvents,
  ) {
    this.ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${apiKey}` },
      perMessageDeflate: false,
      handshakeTimeout: config.handshakeTimeoutMs ?? 10_000,
    });
    this.ws.on('open', () => {
      this.open = true;
      this.ws.send(JSON.stringify(sessionUpdate(this.config)));
      // What was said and asked while connecting, in order, after the configuration.
      for (const m of this.pending) this.ws.send(m);
      this.pending = [];
      this.pendingAudio = 0;
      if (this.config.speakFirst) this.requestResponse();
    });
    this.ws.on('message', (data) => this.onMessage(data.toString()));
    this.ws.on('error', (err) => this.events.error?.(err.message));
    this.ws.on('close', (code, reason) => {
      this.closed = true;
      this.open = false;
      this.events.closed(`openai closed ${code}${reason.length ? `: ${reason.toString()}` : ''}`);
    });
  }

  private createEventId(): string {
    return `rc_${++this.creates}`;
  }

  get responding(): boolean {
    return this.sequencer.responding;
  }

  get activeResponseId(): string | null {
    return this.sequencer.activeResponseId;
  }

  get settled(): boolean {
    return this.sequencer.settled;
  }

  private send(message: string, audio = false): void {
    if (this.closed) return;
    if (!this.open) {
      this.pending.push(message);
      if (audio && ++this.pendingAudio > (this.config.maxPendingAudioFrames ?? 500)) this.dropOldestPendingAudio();
      return;
    }
    const buffered = this.ws.bufferedAmount;
    if (buffered > AUDIO_HIGH_WATER_BYTES) {
      if (buffered > STALLED_BYTES) {
        this.events.error?.(`realtime socket stalled (${buffered} bytes unsent)`, 'socket_stalled');
        this.ws.terminate();
        return;
      }
      if (audio) {
        this.droppedAudioFrames++;
        return;
      }
    }
    this.ws.send(message);
  }

  /** The pre-open buffer is bounded: the oldest caller audio goes first, control events are kept. */
  private dropOldestPendingAudio(): void {
    const i = this.pending.findIndex((m) => m.startsWith(APPEND_PREFIX));
    if (i < 0) return;
    this.pending.splice(i, 1);
    this.pendingAudio--;
    this.droppedAudioFrames++;
  }

  appendAudio(payload: string): void {
    // Hot path (50 frames/s per call): no object, no JSON.stringify of the payload.
    this.send(APPEND_PREFIX + ',"audio":"' + payload + '"}', true);
  }

  commitAudio(): void {
    this.send('{"type":"input_audio_buffer.commit"}');
    this.sequencer.speaking(false);
  }

  requestResponse(): void {
    this.sequencer.request();
  }

  cancelResponse(): void {
    this.send('{"type":"response.cancel"}');
  }

  truncate(itemId: string, audioEndMs: number): void {
    this.send(
      JSON.stringify({
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: 0,
        audio_end_ms: Math.max(0, Math.floor(audioEndMs)),
      }),
    );
  }

  sendToolResult(callId: string, output: unknown, respond = true): void {
    this.send(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: callId, output: JSON.stringify(output) },
      }),
    );
    this.sequencer.toolCallAnswered(callId, respond);
  }

  addMessage(message: ConversationMessage): void {
    this.send(JSON.stringify(messageItem(message)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    // A socket still connecting has nothing to say goodbye to.
    if (this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    else this.ws.close(1000, 'call ended');
  }

  private onMessage(raw: string): void {
    // Downlink hot path (one event per audio chunk): pull item_id, response_id and delta out without parsing the
    // base64 payload as JSON; anything unexpected falls through to the full parse.
    if (raw.startsWith('{"type":"response.output_audio.delta"')) {
      const i = raw.indexOf('"item_id":"');
      const d = raw.indexOf('"delta":"');
      if (i > 0 && d > 0) {
        const itemId = raw.slice(i + 11, raw.indexOf('"', i + 11));
        const delta = raw.slice(d + 9, raw.indexOf('"', d + 9));
        const r = raw.indexOf('"response_id":"');
        const responseId = r > 0 ? raw.slice(r + 15, raw.indexOf('"', r + 15)) : undefined;
        // A JSON escape (e.g. "\/") in either value: leave it to JSON.parse.
        if (itemId && delta && !delta.includes('\\') && !itemId.includes('\\')) {
          this.events.audio(itemId, delta, responseId);
          return;
        }
      }
    }
    let event: ServerEvent;
    try {
      event = JSON.parse(raw) as ServerEvent;
    } catch {
      this.events.error?.('unparseable realtime event');
      return;
    }
    switch (event.type) {
      case 'response.output_audio.delta':
        if (event.item_id && event.delta) this.events.audio(event.item_id, event.delta, event.response_id);
        break;
      case 'response.output_audio.done':
        if (event.item_id) this.events.audioDone?.(event.item_id, event.response_id);
        break;
      case 'input_audio_buffer.speech_started':
        this.sequencer.speaking(true);
        this.events.speechStarted();
        break;
      case 'input_audio_buffer.speech_stopped':
        this.sequencer.speaking(false);
        this.events.speechStopped?.();
        break;
      case 'input_audio_buffer.committed':
        if (event.item_id) this.events.inputCommitted?.(event.item_id);
        break;
      case 'session.updated':
        this.events.ready?.();
        break;
      case 'response.created': {
        const id = event.response?.id ?? 'response';
        this.sequencer.created(id);
        this.events.responseStarted?.(id);
        break;
      }
      case 'response.done': {
        const id = event.response?.id ?? '';
        addUsage(this.usage, event.response?.usage);
        // Tell the listener first (it may read `responding`), then let a waiting response.create go.
        this.events.responseDone?.(id, event.response?.status ?? 'completed');
        this.sequencer.done(id);
        break;
      }
      case 'conversation.item.input_audio_transcription.completed':
        if (event.item_id) this.events.userTranscript?.(event.item_id, (event.transcript ?? '').trim());
        break;
      case 'conversation.item.input_audio_transcription.failed':
        if (event.item_id) this.events.transcriptionFailed?.(event.item_id, event.error?.message ?? 'transcription failed');
        break;
      case 'response.output_audio_transcript.delta':
        if (event.item_id && event.delta) this.events.agentTranscriptDelta?.(event.item_id, event.delta);
        break;
      case 'response.output_audio_transcript.done':
        if (event.item_id && event.transcript) this.events.agentTranscript?.(event.item_id, event.transcript.trim());
        break;
      case 'response.output_item.done': {
        const item = event.item;
        if (item?.type === 'function_call' && item.call_id && item.name) {
          this.sequencer.toolCallStarted(item.call_id);
          const call: FunctionCall = { callId: item.call_id, name: item.name, arguments: item.arguments ?? '{}', itemId: item.id };
          this.events.functionCall?.(call);
        }
        break;
      }
      case 'error': {
        const code = event.error?.code;
        if (code === 'conversation_already_has_active_response' || event.error?.event_id?.startsWith('rc_')) this.sequencer.rejected(code);
        // Cancelling when nothing is active is expected during barge-in races.
        if (code !== 'response_cancel_not_active') this.events.error?.(event.error?.message ?? 'realtime error', code);
        break;
      }
      default:
        break;
    }
  }
}

/** Opens GA Realtime sessions over `ws` (the per-frame path stays free of SDK layers). */
export class OpenAiRealtimeConnector implements RealtimeVoiceConnector {
  readonly provider: 'openai' | 'sandbox';

  constructor(private readonly options: OpenAiRealtimeOptions) {
    this.provider = options.provider ?? 'openai';
  }

  open(config: RealtimeSessionConfig, events: RealtimeSessionEvents): RealtimeVoiceSession {
    const base = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
    return new OpenAiRealtimeSession(
      realtimeUrl(base ?? 'https://api.openai.com', this.options.model),
      this.options.apiKey,
      config,
      events,
    );
  }
}
