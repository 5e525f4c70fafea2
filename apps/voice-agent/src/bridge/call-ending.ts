/**
 * When a call may end. Two waits, both on events:
 * - the caller hung up (drain): their last words may still be in flight — a turn to commit, its transcription, the
 *   model's answer and its tool calls (record_dispute, opt_out...) with their effects. The call ends once all are
 *   done (and at least the minimum has passed for audio still on its way to OpenAI), or at the drain's bound.
 * - the agent called end_call: the call ends once the final response is done and all its audio has played.
 */
export class CallEnding {
  private drainReason: string | null = null;
  private drainMinPassed = false;
  private goodbye = false;
  /** The caller started a turn that has not been committed yet (VAD has not heard its end). */
  callerSpeaking = false;
  /** We committed the caller's turn and wait for the server to say which item it became. */
  private awaitingCommit = false;
  private readonly pendingTranscriptions = new Set<string>();
  private toolsInFlight = 0;

  get draining(): boolean {
    return this.drainReason !== null;
  }

  get goodbyePending(): boolean {
    return this.goodbye;
  }

  get reason(): string | null {
    return this.drainReason;
  }

  startDrain(reason: string): void {
    this.drainReason ??= reason;
  }

  drainMinimumPassed(): void {
    this.drainMinPassed = true;
  }

  endAfterGoodbye(): void {
    this.goodbye = true;
  }

  /** We ended the caller's turn ourselves (input_audio_buffer.commit). */
  commitSent(): void {
    this.callerSpeaking = false;
    this.awaitingCommit = true;
  }

  /** The server refused the commit (nothing to commit). */
  commitRefused(): void {
    this.awaitingCommit = false;
  }

  /** The caller's turn became item `itemId`: its transcription is awaited. */
  committed(itemId: string): void {
    this.callerSpeaking = false;
    this.awaitingCommit = false;
    this.pendingTranscriptions.add(itemId);
  }

  /** The item's transcription arrived (or failed). */
  transcribed(itemId: string): void {
    this.pendingTranscriptions.delete(itemId);
    this.callerSpeaking = false;
  }

  toolStarted(): void {
    this.toolsInFlight++;
  }

  toolFinished(): void {
    this.toolsInFlight--;
  }

  /** A fresh Realtime session: nothing of the old one is awaited any more. */
  resetRealtime(): void {
    this.callerSpeaking = false;
    this.awaitingCommit = false;
    this.pendingTranscriptions.clear();
  }

  /** Why the call may end now, or null while something is still awaited. */
  due(session: { settled: boolean }, playbackIdle: boolean): string | null {
    const quiet = session.settled && this.toolsInFlight === 0;
    if (this.drainReason !== null) {
      const heard = !this.callerSpeaking && !this.awaitingCommit && this.pendingTranscriptions.size === 0;
      return quiet && heard && this.drainMinPassed ? this.drainReason : null;
    }
    return this.goodbye && quiet && playbackIdle ? 'agent ended the call' : null;
  }
}
