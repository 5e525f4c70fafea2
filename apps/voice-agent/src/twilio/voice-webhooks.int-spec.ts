import request from 'supertest';
import WebSocket from 'ws';
import { signTwilioRequest } from '@recoup/providers/twilio';
import { TWILIO_TOKEN, seedDebt, startVoiceHarness, type VoiceHarness } from '../../test/voice-harness';

/** Issue 14: deduplication keyed on what Twilio signed, and no media stream without a signed handshake. */
describe('voice-agent Twilio webhooks: signed-data deduplication and signed stream upgrades', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());

  const post = (path: string, params: Record<string, string>, idempotencyToken?: string) => {
    const req = request(h.server)
      .post(path)
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TWILIO_TOKEN, `${h.baseUrl}${path}`, params));
    if (idempotencyToken) req.set('I-Twilio-Idempotency-Token', idempotencyToken);
    return req.send(params);
  };

  async function answeredCall() {
    const s = await seedDebt(h.db);
    const callSid = 'CA' + s.invoice.id.replace(/-/g, '');
    const call = await h.db.call.create({
      data: {
        tenantId: s.tenant.id,
        clientId: s.client.id,
        invoiceId: s.invoice.id,
        kind: 'ai',
        providerCallSid: callSid,
        status: 'ringing',
      },
    });
    const statusCallback = (CallStatus: string, SequenceNumber: string, extra: Record<string, string> = {}) => ({
      AccountSid: 'AC' + '0'.repeat(32),
      CallSid: callSid,
      CallStatus,
      CallbackSource: 'call-progress-events',
      SequenceNumber,
      ...extra,
    });
    return { call, path: `/api/webhooks/twilio/voice/status?call=${call.id}`, statusCallback };
  }
  const statusOf = async (id: string) => (await h.db.call.findUniqueOrThrow({ where: { id } })).status;
  /** Puts the call back where it was, so a second application of the same callback would show. */
  const rewind = (id: string) => h.db.call.update({ where: { id }, data: { status: 'ringing' } });

  it('applies the same signed status callback once, whatever I-Twilio-Idempotency-Token it carries', async () => {
    const { call, path, statusCallback } = await answeredCall();
    const params = statusCallback('in-progress', '2');
    const first = await post(path, params, 'idem-token-a').expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await statusOf(call.id)).toBe('in-progress');

    await rewind(call.id);
    const replay = await post(path, params, 'idem-token-b').expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const bare = await post(path, params).expect(200);
    expect(bare.headers['idempotent-replayed']).toBe('true');
    expect(await statusOf(call.id)).toBe('ringing');
  });

  it('applies two genuinely different callbacks: another SequenceNumber, another CallStatus', async () => {
    const { call, path, statusCallback } = await answeredCall();
    await post(path, statusCallback('in-progress', '2'), 'same-token').expect(200);
    await rewind(call.id);
    const again = await post(path, statusCallback('in-progress', '3'), 'same-token').expect(200);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await statusOf(call.id)).toBe('in-progress');

    const completed = await post(path, statusCallback('completed', '3', { CallDuration: '42' }), 'same-token').expect(200);
    expect(completed.headers['idempotent-replayed']).toBeUndefined();
    expect(await h.db.call.findUniqueOrThrow({ where: { id: call.id } })).toMatchObject({ status: 'completed', durationSeconds: 42 });
  });

  it('keys a webhook without a SequenceNumber on its whole signed request', async () => {
    const path = '/api/webhooks/twilio/ai-collect';
    const params = { CallSid: 'CA' + '9'.repeat(32), CallStatus: 'in-progress' };
    const first = await post(path, params, 'idem-token-a').expect(200);
    const replay = await post(path, params, 'idem-token-b').expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(first.text);
    const other = await post(path, { ...params, CallSid: 'CA' + '8'.repeat(32) }, 'idem-token-a').expect(200);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a media stream upgrade without X-Twilio-Signature, or signed for another URL', async () => {
    const url = `${h.baseUrl.replace('http', 'ws')}/media-stream`;
    const statusOfUpgrade = (headers: Record<string, string>) =>
      new Promise<number | undefined>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', () => resolve(undefined));
      });
    expect(await statusOfUpgrade({})).toBe(403);
    expect(await statusOfUpgrade({ 'X-Twilio-Signature': signTwilioRequest(TWILIO_TOKEN, 'wss://evil.example/media-stream') })).toBe(403);
    expect(await statusOfUpgrade({ 'X-Twilio-Signature': signTwilioRequest(TWILIO_TOKEN, url) })).toBe(101);
  });
});
