/**
 * Recordings the telephony provider keeps of our calls, in our domain terms. The retention job (and
 * an erasure) deletes them through this port when their retention period ends, so a recording never
 * outlives the period we publish (UK GDPR Art. 5(1)(e)).
 */
export interface CallRecordings {
  readonly provider: 'twilio' | 'sandbox';
  /**
   * Deletes one recording at the provider. `already_gone` when the provider no longer has it
   * (deleted by hand in the console, or an earlier run): for retention that is the same success.
   */
  deleteRecording(recordingSid: string): Promise<RecordingDeletion>;
}

export type RecordingDeletion = 'deleted' | 'already_gone';

/** Twilio recording sid: RE + 32 hex (Twilio's OpenAPI pattern for DELETE .../Recordings/{Sid}.json). */
export const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;
