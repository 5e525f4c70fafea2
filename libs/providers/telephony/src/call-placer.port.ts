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
  /** Async answering-machine detection: the call connects at once, the verdict is posted to callbackUrl (AnsweredBy). */
  machineDetection?: { mode: 'async'; callbackUrl: string };
  /** Record the call (the TwiML must speak the recording notice first). */
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
  /** Replaces what a live call is doing with this TwiML (a voicemail message after machine detection). */
  redirect?(callSid: string, twiml: string): Promise<void>;
}

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
