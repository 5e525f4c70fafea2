import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import {
  createTwilioClient,
  describeTwilioError,
  forwardedTwilioHeaders,
  isSignedTwilioUpgrade,
  signTwilioRequest,
  verifyTwilioSignature,
} from './index';

const SID = 'AC' + 'a'.repeat(32);
const TOKEN = 'test-auth-token-0123456789';

describe('createTwilioClient on a loopback origin', () => {
  let server: Server;
  let seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
  let reply: { status: number; body: unknown; headers?: Record<string, string> } = { status: 201, body: {} };
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen = []));

  const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('sends the SDK request, with basic auth and form fields, to the rebased origin', async () => {
    reply = { status: 201, body: { sid: 'SM' + '1'.repeat(32), status: 'queued' } };
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, baseUrl: origin() });
    const message = await client.messages.create({ to: '+447700900123', from: '+447700900000', body: 'hello' });
    expect(message.sid).toBe('SM' + '1'.repeat(32));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(seen[0]?.auth).toBe('Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
    expect(new URLSearchParams(seen[0]?.body).get('To')).toBe('+447700900123');
  });

  it('surfaces the status, code and Retry-After of an error', async () => {
    reply = { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 }, headers: { 'retry-after': '3' } };
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, baseUrl: origin() });
    const error = await client.messages.create({ to: '+447700900123', from: '+447700900000', body: 'x' }).catch((e: unknown) => e);
    expect(describeTwilioError(error)).toMatchObject({ status: 429, code: 20429 });
  });

  it('refuses credentials with neither an auth token nor an API key', () => {
    expect(() => createTwilioClient({ accountSid: SID })).toThrow(/TWILIO_AUTH_TOKEN/);
  });
});

describe('verifyTwilioSignature', () => {
  const publicBaseUrl = 'https://recoup.example.com';
  const app = createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('test'),
    health: {},
    configure: (express) => {
      express.post('/hook', verifyTwilioSignature({ authToken: TOKEN, publicBaseUrl }), (_req, res) => {
        res.json({ ok: true });
      });
    },
  });

  const params = { CallSid: 'CA' + '2'.repeat(32), CallStatus: 'completed' };

  it('accepts a request signed for the public URL', async () => {
    const signature = signTwilioRequest(TOKEN, `${publicBaseUrl}/hook?x=1`, params);
    await request(app).post('/hook?x=1').type('form').set('X-Twilio-Signature', signature).send(params).expect(200);
  });

  it.each([
    ['missing', undefined],
    ['forged', 'bm90IGEgc2lnbmF0dXJl'],
    ['signed for another URL', signTwilioRequest(TOKEN, `${publicBaseUrl}/other`, params)],
    ['signed with another token', signTwilioRequest('another-token-0123456789', `${publicBaseUrl}/hook`, params)],
  ])('answers 403 problem+json when the signature is %s', async (_label, signature) => {
    const req = request(app).post('/hook').type('form');
    if (signature) req.set('X-Twilio-Signature', signature);
    const res = await req.send(params).expect(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('rejects a body changed after signing', async () => {
    const signature = signTwilioRequest(TOKEN, `${publicBaseUrl}/hook`, params);
    await request(app)
      .post('/hook')
      .type('form')
      .set('X-Twilio-Signature', signature)
      .send({ ...params, CallStatus: 'busy' })
      .expect(403);
  });
});

describe('the same policy for a service without the auth token, a forwarded webhook and a WebSocket upgrade', () => {
  const publicBaseUrl = 'https://voice.recoup.example';
  const gateway = 'https://api.recoup.example';
  const app = createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('test'),
    health: {},
    configure: (express) => {
      express.post('/no-token', verifyTwilioSignature({ authToken: undefined, publicBaseUrl }), (_req, res) => {
        res.json({ ok: true });
      });
      express.post('/forwarded', verifyTwilioSignature({ authToken: TOKEN, publicBaseUrl, forwardedFrom: [gateway] }), (_req, res) => {
        res.json({ ok: true });
      });
      express.post('/forward-headers', (req, res) => {
        res.json(forwardedTwilioHeaders(req, gateway));
      });
    },
  });
  const params = { CallSid: 'CA' + '3'.repeat(32), SpeechResult: 'I can pay on Friday' };

  it('refuses even a correctly signed request when no auth token is configured (fail closed)', async () => {
    const signature = signTwilioRequest(TOKEN, `${publicBaseUrl}/no-token`, params);
    const res = await request(app).post('/no-token').type('form').set('X-Twilio-Signature', signature).send(params).expect(403);
    expect(res.body.detail).toMatch(/TWILIO_AUTH_TOKEN/);
  });

  it('accepts a request one of our origins forwarded, signed for that origin, with the headers forwardedTwilioHeaders adds', async () => {
    const signature = signTwilioRequest(TOKEN, `${gateway}/forwarded?call=1`, params);
    const added = (await request(app).post('/forward-headers?call=1').set('X-Twilio-Signature', signature).expect(200)).body;
    expect(added).toMatchObject({ 'x-original-url': `${gateway}/forward-headers?call=1`, 'x-twilio-signature': signature });
    await request(app)
      .post('/forwarded?call=1')
      .type('form')
      .set('X-Twilio-Signature', signature)
      .set('X-Original-Url', `${gateway}/forwarded?call=1`)
      .send(params)
      .expect(200);
  });

  it.each([
    ['another origin', 'https://evil.example/forwarded?call=1'],
    ['another path of our gateway', `${gateway}/elsewhere?call=1`],
  ])('refuses a forwarded request claiming %s', async (_label, claimed) => {
    await request(app)
      .post('/forwarded?call=1')
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TOKEN, claimed, params))
      .set('X-Original-Url', claimed)
      .send(params)
      .expect(403);
  });

  it('accepts a media stream upgrade signed for its wss URL and nothing else', () => {
    const options = { authToken: TOKEN, publicBaseUrl };
    const signed = (signature?: string) => ({ url: '/media-stream', headers: signature ? { 'x-twilio-signature': signature } : {} });
    expect(isSignedTwilioUpgrade(signed(signTwilioRequest(TOKEN, 'wss://voice.recoup.example/media-stream')), options)).toBe(true);
    expect(isSignedTwilioUpgrade(signed(), options)).toBe(false);
    expect(isSignedTwilioUpgrade(signed('Zm9yZ2Vk'), options)).toBe(false);
    expect(isSignedTwilioUpgrade(signed(signTwilioRequest(TOKEN, 'wss://evil.example/media-stream')), options)).toBe(false);
    expect(
      isSignedTwilioUpgrade(signed(signTwilioRequest('another-token-0123456789', 'wss://voice.recoup.example/media-stream')), options),
    ).toBe(false);
    const valid = signTwilioRequest(TOKEN, 'wss://voice.recoup.example/media-stream');
    expect(isSignedTwilioUpgrade(signed(valid), { authToken: undefined, publicBaseUrl })).toBe(false);
  });
});
