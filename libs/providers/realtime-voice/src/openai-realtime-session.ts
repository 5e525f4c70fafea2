import WebSocket from 'ws';
import type {
  FunctionCall,
  RealtimeSessionConfig,
  RealtimeSessionEvents,
  RealtimeVoiceConnector,
  RealtimeVoiceSession,
} from './realtime-voice.port';

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

interface ServerEvent {
  type: string;
  delta?: string;
  item_id?: string;
  transcript?: string;
  response?: { id?: string; status?: string };
  item?: { type?: string; id?: string; call_id?: string; name?: string; arguments?: string; status?: string };
  error?: { message?: string; code?: string };
}

/** One call's Realtime socket. Nothing is shared between sessions (one call's failure stays its own). */
class OpenAiRealtimeSession implements RealtimeVoiceSession {
  private readonly ws: WebSocket;
  private pending: string[] = [];
  private open = false;
  private closed = false;
  private activeResponse: string | null = null;

  constructor(
    url: string,
    apiKey: string,
    private readonly config: RealtimeSessionConfig,
    private readonly events: RealtimeSessionEvents,
  ) {
    this.ws = new WebSocket(url, { headers: { Authorization: `Bearer ${apiKey}` }, perMessageDeflate: false });
    this.ws.on('open', () => {
      this.open = true;
      this.ws.send(JSON.stringify(sessionUpdate(this.config)));
      // Caller audio that arrived while connecting, in order, after the configuration.
      for (const m of this.pending) this.ws.send(m);
      this.pending = [];
      if (this.config.speakFirst) this.createResponse();
    });
    this.ws.on('message', (data) => this.onMessage(data.toString()));
    this.ws.on('error', (err) => this.events.error?.(err.message));
    this.ws.on('close', (code, reason) => {
      this.closed = true;
      this.open = false;
      this.events.closed(`openai closed ${code}${reason.length ? `: ${reason.toString()}` : ''}`);
    });
  }

  get responding(): boolean {
    return this.activeResponse !== null;
  }

  private send(message: string): void {
    if (this.closed) return;
    if (this.open) this.ws.send(message);
    else this.pending.push(message);
  }

  appendAudio(payload: string): void {
    // Hot path (50 frames/s per call): no object, no JSON.stringify of the payload.
    this.send('{"type":"input_audio_buffer.append","audio":"' + payload + '"}');
  }

  commitAudio(): void {
    this.send('{"type":"input_audio_buffer.commit"}');
  }

  createResponse(): void {
    this.send('{"type":"response.create"}');
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
    if (respond) this.createResponse();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.ws.close(1000, 'call ended');
  }

  private onMessage(raw: string): void {
    // Downlink hot path (one event per audio chunk): pull item_id and delta out without parsing the
    // base64 payload as JSON; anything unexpected falls through to the full parse.
    if (raw.startsWith('{"type":"response.output_audio.delta"')) {
      const i = raw.indexOf('"item_id":"');
      const d = raw.indexOf('"delta":"');
      if (i > 0 && d > 0) {
        const itemId = raw.slice(i + 11, raw.indexOf('"', i + 11));
        const delta = raw.slice(d + 9, raw.indexOf('"', d + 9));
        // A JSON escape (e.g. "\/") in either value: leave it to JSON.parse.
        if (itemId && delta && !delta.includes('\\') && !itemId.includes('\\')) {
          this.events.audio(itemId, delta);
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
        if (event.item_id && event.delta) this.events.audio(event.item_id, event.delta);
        break;
      case 'input_audio_buffer.speech_started':
        this.events.speechStarted();
        break;
      case 'session.updated':
        this.events.ready?.();
        break;
      case 'response.created':
        this.activeResponse = event.response?.id ?? 'response';
        this.events.responseStarted?.(this.activeResponse);
        break;
      case 'response.done':
        this.activeResponse = null;
        this.events.responseDone?.(event.response?.id ?? '', event.response?.status ?? 'completed');
        break;
      case 'conversation.item.input_audio_transcription.completed':
        if (event.item_id && event.transcript) this.events.userTranscript?.(event.item_id, event.transcript.trim());
        break;
      case 'response.output_audio_transcript.done':
        if (event.item_id && event.transcript) this.events.agentTranscript?.(event.item_id, event.transcript.trim());
        break;
      case 'response.output_item.done': {
        const item = event.item;
        if (item?.type === 'function_call' && item.call_id && item.name) {
          const call: FunctionCall = { callId: item.call_id, name: item.name, arguments: item.arguments ?? '{}', itemId: item.id };
          this.events.functionCall?.(call);
        }
        break;
      }
      case 'error':
        // Cancelling when nothing is active is expected during barge-in races.
        if (event.error?.code !== 'response_cancel_not_active')
          this.events.error?.(event.error?.message ?? 'realtime error', event.error?.code);
        break;
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
