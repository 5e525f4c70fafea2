import { twilioWebhookEventKey } from './index';

describe('twilioWebhookEventKey', () => {
  const key = (params: Record<string, string>, { url = '/hook?call=1', headers = {} as Record<string, string> } = {}) => {
    const req = {
      originalUrl: url,
      method: 'POST',
      body: params,
      is: () => false,
      header: (name: string) => headers[name.toLowerCase()],
    };
    return twilioWebhookEventKey(req as unknown as Parameters<typeof twilioWebhookEventKey>[0]);
  };
  const status = {
    CallSid: 'CA' + '4'.repeat(32),
    CallStatus: 'completed',
    SequenceNumber: '3',
    Timestamp: 'Mon, 30 Nov 2026 10:00:00 +0000',
  };

  it('keys a call status callback on CallSid, CallStatus and SequenceNumber', () => {
    expect(key(status)).toBe(`call:${status.CallSid}:completed:3`);
    expect(key({ ...status, SequenceNumber: '4' })).not.toBe(key(status));
    expect(key({ ...status, CallStatus: 'busy' })).not.toBe(key(status));
  });

  it('keys a message status callback on MessageSid and MessageStatus', () => {
    const sms = { MessageSid: 'SM' + '5'.repeat(32), MessageStatus: 'delivered' };
    expect(key(sms)).toBe(`message:${sms.MessageSid}:delivered`);
    expect(key({ ...sms, MessageStatus: 'read' })).not.toBe(key(sms));
  });

  it('otherwise hashes the signed request: path, query and every form parameter, in any order', () => {
    const answer = { CallSid: 'CA' + '6'.repeat(32), CallStatus: 'in-progress', From: '+447700900123' };
    const reordered = { From: answer.From, CallStatus: answer.CallStatus, CallSid: answer.CallSid };
    expect(key(answer)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(key(reordered)).toBe(key(answer));
    expect(key({ ...answer, SpeechResult: 'yes' })).not.toBe(key(answer));
    expect(key(answer, { url: '/hook?call=1&turn=2' })).not.toBe(key(answer));
  });

  it('ignores unsigned headers such as I-Twilio-Idempotency-Token', () => {
    for (const params of [status, { CallSid: 'CA' + '7'.repeat(32), CallStatus: 'ringing' }]) {
      const a = key(params, { headers: { 'i-twilio-idempotency-token': 'token-a' } });
      const b = key(params, { headers: { 'i-twilio-idempotency-token': 'token-b' } });
      expect(a).toBe(b);
    }
  });
});
