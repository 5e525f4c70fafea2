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
  /** Give up on a socket whose WebSocket handshake has not completed in this time (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Caller audio kept while the socket opens (20 ms frames; default 500 = 10 s): the oldest is dropped beyond it. */
  maxPendingAudioFrames?: number;
}

/** Token usage summed over the session's `response.done` events (what OpenAI bills). */
export interface RealtimeUsage {
  responses: number;
  inputTokens: number;
  outputTokens: number;
  inputTextTokens: number;
  inputAudioTokens: number;
  /** Of the input tokens, those served from the prompt cache (billed lower). */
  cachedInputTokens: number;
  outputTextTokens: number;
  outputAudioTokens: number;
}

export function emptyUsage(): RealtimeUsage {
  return {
    responses: 0,
    inputTokens: 0,
    outputTokens: 0,
    inputTextTokens: 0,
    inputAudioTokens: 0,
    cachedInputTokens: 0,
    outputTextTokens: 0,
    outputAudioTokens: 0,
  };
}

/** A text message added to the conversation (a replayed turn after a reconnect, keyed digits, a system note). */
export interface ConversationMessage {
  role: 'user' | 'assistant' | 'system';
  text: string;
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
  /** Agent audio (response.output_audio.delta): base64 mu-law for conversation item `itemId` of response `responseId`. */
  audio(itemId: string, payload: string, responseId?: string): void;
  /** All audio of the item was generated (response.output_audio.done). */
  audioDone?(itemId: string, responseId?: string): void;
  /** The caller started speaking (server VAD): barge in. */
  speechStarted(): void;
  /** Server VAD heard the end of the caller's turn. */
  speechStopped?(): void;
  /** The caller's turn became item `itemId` (input_audio_buffer.committed): its transcription follows. */
  inputCommitted?(itemId: string): void;
  userTranscript?(itemId: string, text: string): void;
  /** The caller's turn could not be transcribed (conversation.item.input_audio_transcription.failed). */
  transcriptionFailed?(itemId: string, message: string): void;
  /** Part of the agent item's transcript, as generated (response.output_audio_transcript.delta). */
  agentTranscriptDelta?(itemId: string, delta: string): void;
  agentTranscript?(itemId: string, text: string): void;
  functionCall?(call: FunctionCall): void;
  responseStarted?(responseId: string): void;
  responseDone?(responseId: string, status: string): void;
  error?(message: string, code?: string): void;
  closed(reason: string): void;
}

export interface RealtimeVoiceSession {
  /**
   * Caller audio; buffered (bounded) until the socket is open (the phone may still be ringing). Dropped, and
   * counted, while the socket's send buffer is over its high-water mark.
   */
  appendAudio(payload: string): void;
  /** Ends the caller's turn now (input_audio_buffer.commit): what they said becomes an item without waiting for VAD silence. */
  commitAudio(): void;
  /**
   * Asks for a response, sequenced: never a response.create while one is active or a function call is unanswered;
   * requests made meanwhile are sent as one, after.
   */
  requestResponse(): void;
  cancelResponse(): void;
  /** Cuts the agent's item at what the caller actually heard. */
  truncate(itemId: string, audioEndMs: number): void;
  /** Answers a function call; `respond` asks for the follow-up response (one for all parallel calls). */
  sendToolResult(callId: string, output: unknown, respond?: boolean): void;
  /** Adds a text message item to the conversation (no response is asked for). */
  addMessage(message: ConversationMessage): void;
  close(): void;
  /** Whether a response is being generated now (or was asked for and not acknowledged yet). */
  readonly responding: boolean;
  /** The response being generated, if the server announced it. */
  readonly activeResponseId: string | null;
  /** Nothing generating, nothing waiting, no function call unanswered. */
  readonly settled: boolean;
  /** Usage summed over response.done so far. */
  readonly usage: RealtimeUsage;
  /** Caller frames dropped: the pre-open buffer overflowed or the socket could not keep up. */
  readonly droppedAudioFrames: number;
}

export interface RealtimeVoiceConnector {
  readonly provider: 'openai' | 'sandbox';
  open(config: RealtimeSessionConfig, events: RealtimeSessionEvents): RealtimeVoiceSession;
}
