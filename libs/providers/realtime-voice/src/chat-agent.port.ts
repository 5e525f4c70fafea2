import type { ToolSpec } from './realtime-voice.port';

/** A turn of a text conversation (the Gather flow: Twilio speech recognition in, TTS out). */
export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ChatToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ChatToolCall {
  id: string;
  name: string;
  /** JSON arguments, unparsed. */
  arguments: string;
}

export interface ChatReply {
  text: string;
  toolCalls: ChatToolCall[];
}

export interface ChatAgent {
  readonly provider: 'openai' | 'sandbox';
  reply(input: { instructions: string; messages: ChatMessage[]; tools: ToolSpec[] }): Promise<ChatReply>;
}
