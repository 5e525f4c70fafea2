/**
 * Realtime voice: the speech-to-speech agent of AI calls, and the text agent of the Gather flow.
 *
 * Ports: `RealtimeVoiceConnector.open(config, events) -> RealtimeVoiceSession` (GA Realtime:
 * session.type "realtime", audio/pcmu in and out, server VAD; caller audio buffered until the socket
 * is open) and `ChatAgent.reply({ instructions, messages, tools })`.
 * Adapters: `OpenAiRealtimeConnector` (ws to OPENAI_BASE_URL /v1/realtime; sandbox = the same adapter
 * pointed at the loopback fake in libs/testing), `OpenAiChatAgent` (openai SDK, baseURL for the fake),
 * `ScriptedChatAgent` (deterministic, sandbox). `scriptedReply` is the shared sandbox policy.
 */
export type {
  ConversationMessage,
  FunctionCall,
  RealtimeSessionConfig,
  RealtimeUsage,
  RealtimeSessionEvents,
  RealtimeVoiceConnector,
  RealtimeVoiceSession,
  ToolSpec,
} from './realtime-voice.port';
export { emptyUsage } from './realtime-voice.port';
export { OpenAiRealtimeConnector, messageItem, sessionUpdate } from './openai-realtime-session';
export { ResponseSequencer } from './response-sequencer';
export type { OpenAiRealtimeOptions } from './openai-realtime-session';
export type { ChatAgent, ChatMessage, ChatReply, ChatToolCall } from './chat-agent.port';
export { OpenAiChatAgent } from './openai-chat-agent';
export type { OpenAiChatAgentOptions } from './openai-chat-agent';
export { ScriptedChatAgent, scriptedReply } from './scripted-agent';
export type { ScriptedTurn } from './scripted-agent';
