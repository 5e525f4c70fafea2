import { createTwilioClient, describeTwilioError, type TwilioClient, type TwilioCredentials } from '@recoup/providers/twilio';
import { RECORDING_SID, type CallRecordings, type RecordingDeletion } from './call-recordings.port';

/** Deletes recordings through Twilio's Recordings resource (DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json). */
export class TwilioCallRecordings implements CallRecordings {
  readonly provider = 'twilio' as const;
  private readonly client: TwilioClient;

  constructor(options: TwilioCredentials) {
    this.client = createTwilioClient(options);
  }

  async deleteRecording(recordingSid: string): Promise<RecordingDeletion> {
    // Twilio's spec constrains Sid to RE + 32 hex; anything else could never have been one of our recordings.
    if (!RECORDING_SID.test(recordingSid)) throw new Error(`not a Twilio recording sid: ${recordingSid}`);
    try {
      await this.client.recordings(recordingSid).remove();
      return 'deleted';
    } catch (err) {
      // 404 (20404): Twilio no longer has it, which is what deleting it was for.
      if (describeTwilioError(err).status === 404) return 'already_gone';
      throw err;
    }
  }
}
