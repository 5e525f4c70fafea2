import { z } from 'zod';
import { TwilioWebhooks } from '@recoup/providers/twilio';

/** Where a call is, in our words. */
export type CallStage = 'dialling' | 'ringing' | 'answered' | 'ended';
/** What the contact attempt of a call becomes at this status (none while it is still being dialled). */
export type CallContactStatus = 'answered' | 'completed' | 'no_answer' | 'busy' | 'failed';

/** Twilio's CallStatus values (Voice API, Call resource). */
export const TWILIO_CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'canceled',
  'failed',
] as const;
export type TwilioCallStatus = (typeof TWILIO_CALL_STATUSES)[number];

const MEANING: Record<TwilioCallStatus, { stage: CallStage; contactStatus?: CallContactStatus }> = {
  queued: { stage: 'dialling' },
  initiated: { stage: 'dialling' },
  ringing: { stage: 'ringing' },
  'in-progress': { stage: 'answered', contactStatus: 'answered' },
  completed: { stage: 'ended', contactStatus: 'completed' },
  busy: { stage: 'ended', contactStatus: 'busy' },
  'no-answer': { stage: 'ended', contactStatus: 'no_answer' },
  // Cancelled before it was answered: to the debtor, a call that did not get through.
  canceled: { stage: 'ended', contactStatus: 'no_answer' },
  failed: { stage: 'ended', contactStatus: 'failed' },
};

/** A call status callback, in our domain terms. */
export interface CallStatusEvent {
  callSid: string;
  /** Twilio's CallStatus as sent (the voice agent records it on the call). */
  providerStatus: TwilioCallStatus;
  stage: CallStage;
  contactStatus?: CallContactStatus;
  /** Twilio numbers the callbacks of one call from 0. */
  sequenceNumber?: number;
  durationSeconds?: number;
  recording?: { sid: string; url?: string };
}

const digits = z.string().regex(/^\d+$/).transform(Number);

/** The status callback parameters we read (Twilio sends many more); parsing maps them to a CallStatusEvent. */
export const TwilioCallStatusCallback = z
  .object({
    CallSid: z.string().regex(/^CA[0-9a-f]{32}$/i, 'expected a Twilio CallSid'),
    CallStatus: z.enum(TWILIO_CALL_STATUSES),
    SequenceNumber: digits.optional(),
    CallDuration: digits.optional(),
    RecordingSid: z.string().min(1).optional(),
    RecordingUrl: z.string().min(1).optional(),
  })
  .transform((p): CallStatusEvent => ({
    callSid: p.CallSid,
    providerStatus: p.CallStatus,
    ...MEANING[p.CallStatus],
    ...(p.SequenceNumber !== undefined && { sequenceNumber: p.SequenceNumber }),
    ...(p.CallDuration !== undefined && { durationSeconds: p.CallDuration }),
    ...(p.RecordingSid && { recording: { sid: p.RecordingSid, ...(p.RecordingUrl && { url: p.RecordingUrl }) } }),
  }));

/**
 * Twilio's voice webhooks (answer URL, status callback, AMD, Gather actions) as one adapter: the
 * signature policy of libs/providers/twilio, the deduplication key made of signed data, and the
 * status callback parsed into our terms. Routes mount `verifySignature`, dedupe on `eventKey` and
 * hand the parsed event on.
 */
export class TwilioVoiceWebhooks extends TwilioWebhooks {
  parseStatusCallback(body: unknown) {
    return TwilioCallStatusCallback.safeParse(body ?? {});
  }
}
