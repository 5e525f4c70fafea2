import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallRejectedError } from './call-placer.port';
import { TwilioCallPlacer } from './twilio-call-placer';
import { connectStreamTwiml, dialTwiml, gatherSpeechTwiml, sayAndHangupTwiml } from './twiml';

const SID = 'AC' + 'b'.repeat(32);
const TOKEN = 'test-auth-token-0123456789';
const CALL_SID = 'CA' + '3'.repeat(32);

describe('TwilioCallPlacer against a loopback Twilio', () => {
  let server: Server;
  let seen: { method?: string; url?: string; auth?: string; body: URLSearchParams }[] = [];
  let reply: { status: number; body: unknown } = { status: 201, body: {} };
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: new URLSearchParams(body) });
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen = []));
  const placer = () =>
    new TwilioCallPlacer({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      fromNumber: '+441234567890',
    });

  it('posts Calls.json with the answer URL, status callback, async AMD, recording and time limit', async () => {
    reply = { status: 201, body: { sid: CALL_SID, status: 'queued' } };
    const placed = await placer().placeCall({
      to: '+447700900123',
      answerUrl: 'https://recoup.example.com/twiml/answer?call=1',
      statusCallbackUrl: 'https://recoup.example.com/status',
      machineDetection: { mode: 'async', callbackUrl: 'https://recoup.example.com/amd' },
      record: true,
      timeLimitSeconds: 120,
      idempotencyKey: 'job-1',
    });
    expect(placed).toEqual({ callSid: CALL_SID, provider: 'twilio' });
    expect(seen).toHaveLength(1);
    const sent = seen[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`/2010-04-01/Accounts/${SID}/Calls.json`);
    expect(sent.auth).toBe('Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
    expect(sent.body.get('To')).toBe('+447700900123');
    expect(sent.body.get('From')).toBe('+441234567890');
    expect(sent.body.get('Url')).toBe('https://recoup.example.com/twiml/answer?call=1');
    expect(sent.body.get('Method')).toBe('POST');
    expect(sent.body.get('StatusCallback')).toBe('https://recoup.example.com/status');
    expect(sent.body.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    // DetectMessageEnd: a machine's verdict comes after its beep, so a message is never spoken over the greeting.
    expect(sent.body.get('MachineDetection')).toBe('DetectMessageEnd');
    expect(sent.body.get('AsyncAmd')).toBe('true');
    expect(sent.body.get('AsyncAmdStatusCallback')).toBe('https://recoup.example.com/amd');
    expect(sent.body.get('Record')).toBe('true');
    expect(sent.body.get('TimeLimit')).toBe('120');
  });

  it('sends no AMD or recording fields when not asked', async () => {
    reply = { status: 201, body: { sid: CALL_SID } };
    await placer().placeCall({
      to: '+447700900123',
      from: '+441111111111',
      answerUrl: 'https://x/a',
      statusCallbackUrl: 'https://x/s',
      idempotencyKey: 'k',
    });
    expect(seen[0]?.body.get('From')).toBe('+441111111111');
    expect(seen[0]?.body.has('MachineDetection')).toBe(false);
    expect(seen[0]?.body.has('Record')).toBe(false);
  });

  it('turns a 400 into CallRejectedError (no retry) and keeps 5xx retryable', async () => {
    reply = { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 } };
    await expect(
      placer().placeCall({ to: '+44', answerUrl: 'https://x/a', statusCallbackUrl: 'https://x/s', idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(CallRejectedError);
    reply = { status: 503, body: { code: 20503, message: 'unavailable', status: 503 } };
    const err = await placer()
      .placeCall({ to: '+447700900123', answerUrl: 'https://x/a', statusCallbackUrl: 'https://x/s', idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CallRejectedError);
  });

  it('hangs up by updating the call to completed, and ignores a call already over', async () => {
    reply = { status: 200, body: { sid: CALL_SID, status: 'completed' } };
    await placer().hangup(CALL_SID);
    expect(seen[0]?.url).toBe(`/2010-04-01/Accounts/${SID}/Calls/${CALL_SID}.json`);
    expect(seen[0]?.body.get('Status')).toBe('completed');
    reply = { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
    await expect(placer().hangup(CALL_SID)).resolves.toBeUndefined();
  });

  it('redirects a live call to new TwiML (voicemail after machine detection)', async () => {
    reply = { status: 200, body: { sid: CALL_SID, status: 'in-progress' } };
    await placer().redirect(CALL_SID, '<Response><Say>Hi</Say><Hangup/></Response>');
    expect(seen[0]?.url).toBe(`/2010-04-01/Accounts/${SID}/Calls/${CALL_SID}.json`);
    expect(seen[0]?.body.get('Twiml')).toBe('<Response><Say>Hi</Say><Hangup/></Response>');
  });

  it("starts, then stops a live recording through the call's Recordings API; a recording no longer live is not_recording", async () => {
    const RE = 'RE' + '4'.repeat(32);
    reply = { status: 201, body: { sid: RE, status: 'in-progress', call_sid: CALL_SID } };
    await expect(placer().startRecording(CALL_SID, { statusCallbackUrl: 'https://h/rec' })).resolves.toEqual({ recordingSid: RE });
    expect(seen[0]?.url).toBe(`/2010-04-01/Accounts/${SID}/Calls/${CALL_SID}/Recordings.json`);
    expect(seen[0]?.body.get('RecordingChannels')).toBe('dual');
    expect(seen[0]?.body.get('RecordingStatusCallback')).toBe('https://h/rec');
    reply = { status: 200, body: { sid: RE, status: 'stopped' } };
    await expect(placer().setRecordingStatus(CALL_SID, RE, 'stopped')).resolves.toBe('updated');
    expect(seen[1]?.url).toBe(`/2010-04-01/Accounts/${SID}/Calls/${CALL_SID}/Recordings/${RE}.json`);
    expect(seen[1]?.body.get('Status')).toBe('stopped');
    reply = { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
    await expect(placer().setRecordingStatus(CALL_SID, RE, 'paused')).resolves.toBe('not_recording');
  });
});

describe('TwiML helpers', () => {
  it('escapes text and carries stream parameters', () => {
    const xml = connectStreamTwiml({
      streamUrl: 'wss://h/media?a=1&b=2',
      parameters: { token: 't<1>' },
      sayFirst: ['This call is recorded & monitored.'],
    });
    expect(xml).toContain('<Say voice="Polly.Amy-Neural" language="en-GB">This call is recorded &amp; monitored.</Say>');
    expect(xml).toContain('<Stream url="wss://h/media?a=1&amp;b=2"><Parameter name="token" value="t&lt;1>"/></Stream>');
    expect(gatherSpeechTwiml({ prompt: 'Hello', action: '/respond' })).toContain('<Gather input="speech" action="/respond"');
    expect(sayAndHangupTwiml([])).toContain('<Hangup/>');
  });

  it('dials a person with our caller id, and falls back to a call-back promise, never silence', () => {
    const xml = dialTwiml({
      say: ['Putting you through.'],
      number: '+442071234567',
      callerId: '+441615550100',
      fallback: ['We will call you back.'],
    });
    expect(xml).toMatch(
      /<Say[^>]*>Putting you through.<\/Say><Dial timeout="30" callerId="\+441615550100"><Number>\+442071234567<\/Number><\/Dial><Say[^>]*>We will call you back.<\/Say><Hangup\/>/,
    );
    expect(gatherSpeechTwiml({ prompt: 'Key it in', action: '/r', input: 'dtmf speech' })).toContain('input="dtmf speech"');
  });
});
