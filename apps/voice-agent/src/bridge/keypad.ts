/** How long after the last key press a sequence counts as complete (unless ended by # or *). */
export const KEYPAD_PAUSE_MS = 2_000;

/**
 * Key presses (Twilio Media Streams `dtmf` events) gathered into what the caller keyed: a sequence ends with `#`
 * or `*` (not part of it) or after a pause, and is handed on once.
 */
export class Keypad {
  private digits = '';
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly onSequence: (digits: string, terminator: string | null) => void,
    private readonly pauseMs = KEYPAD_PAUSE_MS,
  ) {}

  press(digit: string): void {
    if (!/^[0-9*#A-D]$/.test(digit)) return;
    clearTimeout(this.timer);
    if (digit === '#' || digit === '*') return this.flush(digit);
    this.digits += digit;
    this.timer = setTimeout(() => this.flush(null), this.pauseMs);
    this.timer.unref();
  }

  /** Hands on what was keyed so far (also at the end of the call). */
  flush(terminator: string | null = null): void {
    clearTimeout(this.timer);
    const digits = this.digits;
    this.digits = '';
    if (digits || terminator) this.onSequence(digits, terminator);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** How a keyed sequence reaches the model and the transcript: as what the caller did, in words. */
export function keyedText(digits: string, terminator: string | null): string {
  if (!digits) return `[The caller pressed ${terminator ?? ''} on the phone keypad]`;
  return `[The caller keyed ${[...digits].join(' ')} on the phone keypad${terminator ? ` then ${terminator}` : ''}]`;
}
