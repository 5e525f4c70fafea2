/**
 * One response at a time. OpenAI Realtime refuses `response.create` while a response is active
 * (`conversation_already_has_active_response`) and the follow-up is lost, so every request goes through here:
 * - a request while a response is active (or one we asked for is not acknowledged yet) waits and is sent once
 *   `response.done` arrives; several waiting requests are sent as ONE `response.create`;
 * - while function calls of the model are unanswered nothing is sent: parallel tool outputs produce one
 *   `response.create`, after the last of them;
 * - while the caller is speaking nothing is sent (server VAD answers their turn itself, and that response sees the
 *   items we added), and a response the server starts on its own satisfies what was waiting;
 * - a request the server rejected because a response was active is retried after that response is done.
 */
export class ResponseSequencer {
  private active: string | null = null;
  /** A response.create was sent and neither response.created nor an error answered it yet. */
  private requested = false;
  private wanted = false;
  private callerSpeaking = false;
  /** The server said a response is active that we have not seen created yet: wait for its response.done. */
  private awaitingDone = false;
  private readonly toolCalls = new Set<string>();

  constructor(private readonly sendCreate: () => void) {}

  /** Ask for a response (now if nothing is in the way, else once it is). */
  request(): void {
    this.wanted = true;
    this.flush();
  }

  /** The model asked for a function call (it must be answered before the next response). */
  toolCallStarted(callId: string): void {
    this.toolCalls.add(callId);
  }

  /** A function call was answered; `respond` asks for the follow-up response (once all calls are answered). */
  toolCallAnswered(callId: string, respond: boolean): void {
    this.toolCalls.delete(callId);
    if (respond) this.wanted = true;
    this.flush();
  }

  speaking(on: boolean): void {
    this.callerSpeaking = on;
    if (!on) this.flush();
  }

  /** response.created: ours, or one the server started (server VAD), which answers whatever was waiting. */
  created(responseId: string): void {
    if (!this.requested && !this.awaitingDone) this.wanted = false;
    this.requested = false;
    this.active = responseId;
  }

  /** response.done (completed, cancelled, failed or incomplete). */
  done(responseId: string): void {
    if (!responseId || this.active === responseId) this.active = null;
    this.awaitingDone = false;
    this.flush();
  }

  /** An error answered our response.create. */
  rejected(code: string | undefined): void {
    if (!this.requested) return;
    this.requested = false;
    // Lost the race with a response the server started: ours runs after it.
    if (code === 'conversation_already_has_active_response') {
      this.wanted = true;
      this.awaitingDone = true;
    }
    this.flush();
  }

  /** A fresh Realtime socket (reconnect): nothing of the old one is in flight any more. */
  reset(): void {
    this.active = null;
    this.requested = false;
    this.awaitingDone = false;
    this.toolCalls.clear();
    this.callerSpeaking = false;
  }

  /** A response is being generated, or one was asked for and not acknowledged yet. */
  get responding(): boolean {
    return this.active !== null || this.requested || this.awaitingDone;
  }

  get activeResponseId(): string | null {
    return this.active;
  }

  /** Nothing generating, nothing waiting, no function call unanswered. */
  get settled(): boolean {
    return !this.responding && !this.wanted && this.toolCalls.size === 0;
  }

  private flush(): void {
    if (!this.wanted || this.active !== null || this.requested || this.awaitingDone || this.callerSpeaking || this.toolCalls.size > 0)
      return;
    this.wanted = false;
    this.requested = true;
    this.sendCreate();
  }
}
