import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { dialTwiml, sayAndHangupTwiml, type CallPlacer } from '@recoup/providers/telephony';

/** How our code ends a call: lines said, then a transfer (<Dial>, with an action for its outcome) or the end. */
export interface Closing {
  say: string[];
  dial?: { number: string; callerId?: string; action: string };
}

/** The closing as TwiML, with `before` said first (the Gather flow's last reply). */
export function closingTwiml(closing: Closing, before: string[] = []): string {
  const say = [...before, ...closing.say];
  return closing.dial ? dialTwiml({ say, ...closing.dial, fallback: [] }) : sayAndHangupTwiml(say);
}

export interface LiveCallControlOptions {
  db: Database;
  placer: CallPlacer;
  logger: Logger;
  /** Record calls at all (CALL_RECORDING). */
  recording: boolean;
  /** Where Twilio posts the recording's status (our status webhook of the call). */
  recordingCallbackUrl(callId: string): string;
}

/**
 * What our code does to a live call besides the conversation: the recording (started once the notice was spoken,
 * stopped when the debtor objects) and how the call ends (a bare hang-up, or TwiML our code chose: a transfer, the
 * debt-advice signposting, a call-back request). The bridge and the Gather flow end calls through `hangup`.
 */
export class LiveCallControl {
  /** How a call ends instead of a hang-up, by call id (this process runs the call's bridge and its tools). */
  private readonly closing = new Map<string, Closing>();

  constructor(private readonly o: LiveCallControlOptions) {}

  /** The call ends this way (played by a call update, or the Gather flow's last TwiML) instead of a hang-up. */
  closeWith(callId: string, closing: Closing): void {
    this.closing.set(callId, closing);
  }

  /** Takes (once) how the call was set to end. */
  takeClosing(callId: string): Closing | undefined {
    const closing = this.closing.get(callId);
    this.closing.delete(callId);
    return closing;
  }

  private async sidOf(callId: string): Promise<string | null> {
    const call = await this.o.db.call.findUnique({ where: { id: callId }, select: { providerCallSid: true } });
    return call?.providerCallSid ?? null;
  }

  /** Ends the phone call: with the closing TwiML when one was set (a transfer, the signposting), else a hang-up. */
  async hangup(callId: string): Promise<void> {
    const closing = this.takeClosing(callId);
    const sid = await this.sidOf(callId);
    if (!sid) return;
    if (closing && this.o.placer.redirect) {
      try {
        await this.o.placer.redirect(sid, closingTwiml(closing));
        return;
      } catch (err) {
        this.o.logger.warn({ err: { message: (err as Error).message }, callId }, 'closing TwiML not played; hanging up');
      }
    }
    await this.o.placer.hangup(sid);
  }

  /**
   * Starts the recording once the notice was spoken (consent before recording), unless the debtor already objected.
   * A refusal that lands while the provider is starting it stops it at once.
   */
  async startRecording(callId: string): Promise<void> {
    if (!this.o.recording) return;
    const call = await this.o.db.call.findUnique({ where: { id: callId } });
    if (!call?.providerCallSid || call.recordingSid || call.recordingConsent === 'refused') return;
    const { recordingSid } = await this.o.placer.startRecording(call.providerCallSid, {
      statusCallbackUrl: this.o.recordingCallbackUrl(callId),
    });
    const { count } = await this.o.db.call.updateMany({
      // (SQL: NULL <> 'refused' is not true, so no consent answer yet is matched explicitly.)
      where: { id: callId, recordingSid: null, OR: [{ recordingConsent: null }, { recordingConsent: { not: 'refused' } }] },
      data: { recordingSid },
    });
    // Refused (or started twice) in the meantime: this recording must not go on.
    if (count === 0) await this.o.placer.setRecordingStatus(call.providerCallSid, recordingSid, 'stopped');
  }

  /**
   * The debtor objects to being recorded (UK GDPR Art. 21): the refusal is stored and the live recording is stopped
   * through the provider's Recordings API. Returns what happened to the recording.
   */
  async stopRecording(callId: string): Promise<'stopped' | 'not_recording'> {
    const call = await this.o.db.call.update({ where: { id: callId }, data: { recordingConsent: 'refused' } });
    if (!call.providerCallSid || !call.recordingSid) return 'not_recording';
    const result = await this.o.placer.setRecordingStatus(call.providerCallSid, call.recordingSid, 'stopped');
    return result === 'updated' ? 'stopped' : 'not_recording';
  }
}
