import { randomBytes } from 'node:crypto';
import { FakeTwilioVoice, FakeTwilioVoiceApi, createTestDatabase, type TestDatabase } from '@recoup/testing';
import { callRecordingsContract } from './call-recordings.contract';
import { SandboxCallRecordings, sandboxRecordingDeletionKey } from './sandbox-call-recordings';
import { TwilioCallRecordings } from './twilio-call-recordings';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const TOKEN = 'test-auth-token-0123456789';

let voice: FakeTwilioVoice;
let api: FakeTwilioVoiceApi;
callRecordingsContract('Twilio SDK on the loopback fake', async () => {
  voice = new FakeTwilioVoice({ authToken: TOKEN, accountSid: ACCOUNT });
  api = await new FakeTwilioVoiceApi(voice).start();
  return {
    recordings: new TwilioCallRecordings({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: api.url }),
    recordingOf: async () => voice.addRecording('CA' + randomBytes(16).toString('hex')),
    close: () => api.stop(),
  };
});

describe('TwilioCallRecordings request', () => {
  it('sends DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json with basic auth, as Twilio documents', async () => {
    const sid = voice.addRecording('CA' + '9'.repeat(32));
    const fakeApi = await new FakeTwilioVoiceApi(voice).start();
    try {
      await new TwilioCallRecordings({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fakeApi.url }).deleteRecording(sid);
      expect(fakeApi.requests).toEqual([
        expect.objectContaining({ method: 'DELETE', path: `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${sid}.json` }),
      ]);
      expect(voice.recordings.get(sid)?.deletedAt).toBeInstanceOf(Date);
    } finally {
      await fakeApi.stop();
    }
  });
});

let t: TestDatabase;
callRecordingsContract('sandbox (recorded in the outbox)', async () => {
  t = await createTestDatabase();
  return {
    recordings: new SandboxCallRecordings({ db: t.db }),
    recordingOf: async () => 'RE' + randomBytes(16).toString('hex'),
    close: () => t.drop(),
  };
});

describe('SandboxCallRecordings', () => {
  it('leaves a row saying which recording was deleted', async () => {
    const db = await createTestDatabase();
    try {
      const sid = 'RE' + 'a'.repeat(32);
      await new SandboxCallRecordings({ db: db.db }).deleteRecording(sid);
      const row = await db.db.sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: sandboxRecordingDeletionKey(sid) } });
      expect(row.metadata).toEqual({ action: 'delete_recording', recordingSid: sid });
    } finally {
      await db.drop();
    }
  });
});
