/**
 * The outbound-call port, in our domain terms: no vendor type crosses it. Both the AI-call
 * service (voice-agent) and the IVR service place calls through it.
 */
export interface PlaceCallRequest {
  /** E.164 number to ring. */
  to: string;
  /** E.164 caller id; the adapter's default (TWILIO_FROM_NUMBER) when omitted. */
  from?: string;
  /** Our webhook that answers TwiML once the callee picks up (POST, signed). */
  answerUrl: string;
  /** Our webhook for call progress: initiated, ringing, answered, completed (POST, signed). */
  statusCallbackUrl: string;
  /**
   * Async answering-machine detection with DetectMessageEnd: the call connects at once; the verdict is posted to
   * callbackUrl (AnsweredBy): `human` early, `machine_end_beep` / `machine_end_silence` / `machine_end_other` only once
   * the greeting has ended, so a message left then is recorded after the beep.
   */
  machineDetection?: { mode: 'async'; callbackUrl: string };
  /**
   * Record the whole call from the answer. Prefer `startRecording` once the recording notice was spoken (consent
   * before recording: the notice, then the recording).
   */
  record?: boolean;
  /** Hard cap on the call's length: the provider hangs up after this many seconds. */
  timeLimitSeconds?: number;
  /**
   * Our key for this dial (the job id / contact attempt). The sandbox never dials the same key
   * twice; Twilio has no idempotency on Calls.json, so callers must also record the returned
   * callSid against the key before retrying.
   */
  idempotencyKey: string;
}

export interface PlacedCall {
  /** The provider's call id (Twilio CallSid, CA + 32 hex). Webhooks carry it as CallSid. */
  callSid: string;
  provider: 'twilio' | 'sandbox';
}

export interface CallPlacer {
  readonly provider: 'twilio' | 'sandbox';
  placeCall(request: PlaceCallRequest): Promise<PlacedCall>;
  /** Ends a live call (no-op when it has already ended). */
  hangup(callSid: string): Promise<void>;
  /** Replaces what a live call is doing with this TwiML (a voicemail message after machine detection, a transfer). */
  redirect?(callSid: string, twiml: string): Promise<void>;
  /** Starts recording a live call (after its recording notice was spoken); both parties, one channel each. */
  startRecording(callSid: string, options?: { statusCallbackUrl?: string }): Promise<{ recordingSid: string }>;
  /**
   * Pauses, resumes or stops a live recording (the debtor objected to being recorded: UK GDPR Art. 21). `not_recording`
   * when the provider holds no such live recording (the call or the recording already ended).
   */
  setRecordingStatus(callSid: string, recordingSid: string, status: LiveRecordingStatus): Promise<'updated' | 'not_recording'>;
}

export type LiveRecordingStatus = 'paused' | 'in-progress' | 'stopped';

/** A failure the caller should not retry (bad number, refused by the provider). */
export class CallRejectedError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'CallRejectedError';
  }
}
