/**
 * The speech-to-speech agent port (OpenAI Realtime, GA protocol), in our terms. Audio is
 * base64 G.711 mu-law at 8 kHz both ways, exactly what Twilio Media Streams carry, so the bridge
 * passes payloads through untouched.
 */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface RealtimeSessionConfig {
  instructions: string;
  tools: ToolSpec[];
  /** Output voice (OpenAI voice id). */
  voice: string;
  /** Server VAD tuning: higher threshold and longer silence mean fewer false barge-ins on noisy lines. */
  vad?: { threshold?: number; silenceDurationMs?: number; prefixPaddingMs?: number };
  /** Input transcription model (the caller's words, stored per turn). */
  transcriptionModel?: string;
  maxOutputTokens?: number;
  /** Have the agent speak first once the session is configured (outbound calls). */
  speakFirst?: boolean;
}

export interface FunctionCall {
  callId: string;
  name: string;
  /** The model's JSON arguments, unparsed: the caller validates them. */
  arguments: string;
  itemId?: string;
}

export interface RealtimeSessionEvents {
  /** The session accepted our configuration (session.updated). */
  ready?(): void;
  /** Agent audio (response.output_audio.delta): base64 mu-law for conversation item `itemId`. */
  audio(itemId: string, payload: string): void;
  /** The caller started speaking (server VAD): barge in. */
  speechStarted(): void;
  userTranscript?(itemId: string, text: string): void;
  agentTranscript?(itemId: string, text: string): void;
  functionCall?(call: FunctionCall): void;
  responseStarted?(responseId: string): void;
  responseDone?(responseId: string, status: string): void;
  error?(message: string, code?: string): void;
  closed(reason: string): void;
}

export interface RealtimeVoiceSession {
  /** Caller audio; buffered until the socket is open (the phone may still be ringing). */
  appendAudio(payload: string): void;
  /** Ends the caller's turn now (input_audio_buffer.commit): what they said becomes an item without waiting for VAD silence. */
  commitAudio(): void;
  createResponse(): void;
  cancelResponse(): void;
  /** Cuts the agent's item at what the caller actually heard. */
  truncate(itemId: string, audioEndMs: number): void;
  /** Answers a function call and asks for the next response. */
  sendToolResult(callId: string, output: unknown, respond?: boolean): void;
  close(): void;
  /** Whether a response is being generated now. */
  readonly responding: boolean;
}

export interface RealtimeVoiceConnector {
  readonly provider: 'openai' | 'sandbox';
  open(config: RealtimeSessionConfig, events: RealtimeSessionEvents): RealtimeVoiceSession;
}
