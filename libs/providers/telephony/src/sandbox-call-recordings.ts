import type { Database } from '@recoup/db';
import { RECORDING_SID, type CallRecordings, type RecordingDeletion } from './call-recordings.port';

/** The sandbox outbox row that records one deletion (its idempotency key). */
export const sandboxRecordingDeletionKey = (recordingSid: string): string => `recording-deleted:${recordingSid}`;

/**
 * Records each deletion in the sandbox outbox (SandboxMessage, keyed by recording sid) so tests and
 * the sandbox stack can see what would have been deleted at Twilio; a second deletion of the same
 * sid is `already_gone`, as Twilio's 404 would be.
 */
export class SandboxCallRecordings implements CallRecordings {
  readonly provider = 'sandbox' as const;

  constructor(private readonly options: { db: Database }) {}

  async deleteRecording(recordingSid: string): Promise<RecordingDeletion> {
    if (!RECORDING_SID.test(recordingSid)) throw new Error(`not a Twilio recording sid: ${recordingSid}`);
    const key = sandboxRecordingDeletionKey(recordingSid);
    try {
      await this.options.db.sandboxMessage.create({
        data: {
          channel: 'ai_call',
          provider: 'sandbox',
          idempotencyKey: key,
          providerMessageId: key,
          toAddress: '',
          body: `delete recording ${recordingSid}`,
          metadata: { action: 'delete_recording', recordingSid },
        },
      });
      return 'deleted';
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return 'already_gone';
      throw err;
    }
  }
}
