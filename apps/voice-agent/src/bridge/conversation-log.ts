import type { ConversationMessage } from '@recoup/providers/realtime-voice';

/** How much of the call a reconnected Realtime session is given back (the latest messages). */
const MAX_MESSAGES = 60;

/**
 * The conversation so far in words (what the caller said, what they heard the agent say, what the tools did), so a
 * Realtime session opened after the first one dropped can be given the call back as items.
 */
export class ConversationLog {
  private readonly messages: ConversationMessage[] = [];

  add(role: ConversationMessage['role'], text: string): void {
    if (!text) return;
    this.messages.push({ role, text });
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
  }

  /** The messages to replay, oldest first. */
  replay(): ConversationMessage[] {
    return [...this.messages];
  }
}
