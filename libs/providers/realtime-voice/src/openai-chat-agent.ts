import OpenAI from 'openai';
import type { ChatAgent, ChatMessage, ChatReply } from './chat-agent.port';
import type { ToolSpec } from './realtime-voice.port';

export interface OpenAiChatAgentOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs?: number;
}

/** The Gather flow's model: Chat Completions with function tools, on the official SDK. */
export class OpenAiChatAgent implements ChatAgent {
  readonly provider = 'openai' as const;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiChatAgentOptions) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs ?? 8_000, maxRetries: 1 });
  }

  async reply(input: { instructions: string; messages: ChatMessage[]; tools: ToolSpec[] }): Promise<ChatReply> {
    const completion = await this.client.chat.completions.create({
      model: this.options.model,
      messages: [
        { role: 'system', content: input.instructions },
        ...input.messages.map((m) => {
          if (m.role === 'tool') return { role: 'tool' as const, tool_call_id: m.toolCallId, content: m.content };
          if (m.role === 'assistant')
            return {
              role: 'assistant' as const,
              content: m.content,
              ...(m.toolCalls?.length
                ? {
                    tool_calls: m.toolCalls.map((c) => ({
                      id: c.id,
                      type: 'function' as const,
                      function: { name: c.name, arguments: c.arguments },
                    })),
                  }
                : {}),
            };
          return { role: 'user' as const, content: m.content };
        }),
      ],
      tools: input.tools.map((t) => ({
        type: 'function' as const,
        function: { name: t.name, description: t.description, parameters: t.parameters },
      })),
      max_completion_tokens: 300,
    });
    const message = completion.choices[0]?.message;
    return {
      text: message?.content ?? '',
      toolCalls: (message?.tool_calls ?? []).flatMap((c) =>
        c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : [],
      ),
    };
  }
}
