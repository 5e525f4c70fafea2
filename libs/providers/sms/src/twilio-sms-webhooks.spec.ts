import { TwilioSmsWebhooks } from './twilio-sms-webhooks';

describe('TwilioSmsWebhooks parsing', () => {
  const webhooks = new TwilioSmsWebhooks({ authToken: 'twilio-auth-token-for-tests-0123', publicBaseUrl: 'https://notifier.example.com' });
  const sid = 'SM' + 'a'.repeat(32);

  it.each([
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['read', 'opened'],
    ['queued', undefined],
    ['sending', undefined],
  ])('maps MessageStatus %s to %s', (status, type) => {
    const parsed = webhooks.parseStatusCallback({ MessageSid: sid, MessageStatus: status, AccountSid: 'AC' + '0'.repeat(32) });
    expect(parsed.success && parsed.data).toEqual({ messageId: sid, providerStatus: status, type, failureReason: status });
  });

  it('keeps the Twilio error code in the failure reason', () => {
    const parsed = webhooks.parseStatusCallback({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30005' });
    expect(parsed.success && parsed.data).toMatchObject({
      type: 'failed',
      errorCode: '30005',
      failureReason: 'undelivered (Twilio error 30005)',
    });
  });

  it('names the bad parameter', () => {
    const parsed = webhooks.parseStatusCallback({ MessageSid: 'XX1', MessageStatus: 'exploded' });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['MessageSid', 'MessageStatus']);
    expect(webhooks.parseInbound(undefined).success).toBe(false);
  });

  it('reads an inbound text (an empty body is an empty text)', () => {
    const parsed = webhooks.parseInbound({ MessageSid: sid, From: '+447700900123', To: '+447700900000' });
    expect(parsed.success && parsed.data).toEqual({ messageId: sid, from: '+447700900123', to: '+447700900000', body: '' });
  });
});
