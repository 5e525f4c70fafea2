import { TwilioVoiceWebhooks } from './twilio-voice-webhooks';

describe('TwilioVoiceWebhooks: status callbacks in our terms', () => {
  const webhooks = new TwilioVoiceWebhooks({ authToken: 'twilio-auth-token-for-tests-0123', publicBaseUrl: 'https://voice.example.com' });
  const CallSid = 'CA' + 'b'.repeat(32);

  it.each([
    ['queued', 'dialling', undefined],
    ['initiated', 'dialling', undefined],
    ['ringing', 'ringing', undefined],
    ['in-progress', 'answered', 'answered'],
    ['completed', 'ended', 'completed'],
    ['busy', 'ended', 'busy'],
    ['no-answer', 'ended', 'no_answer'],
    ['canceled', 'ended', 'no_answer'],
    ['failed', 'ended', 'failed'],
  ])('CallStatus %s: stage %s, contact attempt %s', (CallStatus, stage, contactStatus) => {
    const parsed = webhooks.parseStatusCallback({ CallSid, CallStatus, AccountSid: 'AC' + '0'.repeat(32) });
    expect(parsed.success && parsed.data).toEqual({ callSid: CallSid, providerStatus: CallStatus, stage, contactStatus });
  });

  it('reads the sequence number, duration and recording of a final callback', () => {
    const parsed = webhooks.parseStatusCallback({
      CallSid,
      CallStatus: 'completed',
      SequenceNumber: '4',
      CallDuration: '63',
      RecordingSid: 'RE' + 'c'.repeat(32),
      RecordingUrl: 'https://api.twilio.com/recordings/RE1',
    });
    expect(parsed.success && parsed.data).toMatchObject({
      sequenceNumber: 4,
      durationSeconds: 63,
      recording: { sid: 'RE' + 'c'.repeat(32), url: 'https://api.twilio.com/recordings/RE1' },
    });
  });

  it('names the bad parameter', () => {
    const parsed = webhooks.parseStatusCallback({ CallSid: 'CA1', CallStatus: 'exploded', SequenceNumber: 'x' });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'CallSid',
      'CallStatus',
      'SequenceNumber',
    ]);
  });
});
