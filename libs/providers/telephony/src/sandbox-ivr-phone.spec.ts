import { signTwilioRequest } from '@recoup/providers/twilio';
import { SandboxIvrPhone, type SandboxIvrCallResult } from './sandbox-ivr-phone';

const TOKEN = 'sandbox-token-0123456789abcdef';
const BASE = 'http://ivr.test';
const gather = (say: string, turn: number) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech" action="${BASE}/process-response?ivr_call_id=c1&amp;turn=${turn}" actionOnEmptyResult="true"><Say>${say}</Say></Gather></Response>`;
const hangup = (say: string) => `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${say}</Say><Hangup/></Response>`;

interface Seen {
  url: string;
  params: Record<string, string>;
  signed: boolean;
}

/** A stand-in for our IVR's webhooks: checks each signature and answers TwiML from a tiny conversation. */
function fakeIvr(reply: (seen: Seen, turn: number) => string) {
  const seen: Seen[] = [];
  let turns = 0;
  const doFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const params = Object.fromEntries(new URLSearchParams(String(init?.body ?? '')));
    const headers = new Headers(init?.headers);
    const s: Seen = { url, params, signed: headers.get('x-twilio-signature') === signTwilioRequest(TOKEN, url, params) };
    seen.push(s);
    if (url.includes('/status')) return new Response(null, { status: 204 });
    return new Response(reply(s, turns++), { status: 200, headers: { 'content-type': 'text/xml' } });
  }) as typeof fetch;
  return { seen, doFetch };
}

function phone(doFetch: typeof fetch, answers: string[], opts: { noAnswer?: boolean } = {}) {
  let done!: (r: SandboxIvrCallResult) => void;
  const finished = new Promise<SandboxIvrCallResult>((r) => (done = r));
  const p = new SandboxIvrPhone({
    authToken: TOKEN,
    pickScript: () => ({ name: 'test', answers, ...opts }),
    ringMs: 0,
    turnMs: 0,
    fetch: doFetch,
    onFinished: done,
  });
  return { p, finished };
}

const call = {
  callSid: 'CA' + 'a'.repeat(32),
  from: '+441000000000',
  to: '+447700900123',
  answerUrl: `${BASE}/voice?ivr_call_id=c1`,
  statusCallbackUrl: `${BASE}/status?ivr_call_id=c1`,
  idempotencyKey: 'job-1',
};

describe('SandboxIvrPhone', () => {
  it('answers, says each scripted answer to the Gather action, and ends with completed: every request signed', async () => {
    const ivr = fakeIvr((_s, turn) => (turn < 2 ? gather(`prompt ${turn}`, turn + 1) : hangup('Goodbye')));
    const { p, finished } = phone(ivr.doFetch, ["No, I can't afford that", 'Yes']);
    p.dial(call);
    const result = await finished;
    expect(result).toMatchObject({ finalStatus: 'completed', said: ["No, I can't afford that", 'Yes'], direction: 'outbound-api' });
    expect(ivr.seen.every((s) => s.signed)).toBe(true);
    expect(ivr.seen.map((s) => `${s.url.replace(BASE, '')} ${s.params.CallStatus} ${s.params.SpeechResult ?? ''}`.trim())).toEqual([
      '/status?ivr_call_id=c1 ringing',
      '/status?ivr_call_id=c1 in-progress',
      '/voice?ivr_call_id=c1 in-progress',
      "/process-response?ivr_call_id=c1&turn=1 in-progress No, I can't afford that",
      '/process-response?ivr_call_id=c1&turn=2 in-progress Yes',
      '/status?ivr_call_id=c1 completed',
    ]);
  });

  it('a silent caller posts no SpeechResult until the IVR gives up', async () => {
    const ivr = fakeIvr((_s, turn) => (turn < 3 ? gather('Hello?', turn + 1) : hangup('Goodbye')));
    const { p, finished } = phone(ivr.doFetch, []);
    p.dial(call);
    const result = await finished;
    expect(result.said).toEqual(['', '', '']);
    expect(ivr.seen.filter((s) => s.url.includes('/process-response')).every((s) => s.params.SpeechResult === undefined)).toBe(true);
  });

  it('a phone that rings out sends no-answer and never fetches the answer URL', async () => {
    const ivr = fakeIvr(() => hangup('unused'));
    const { p, finished } = phone(ivr.doFetch, [], { noAnswer: true });
    p.dial(call);
    expect((await finished).finalStatus).toBe('no-answer');
    expect(ivr.seen.map((s) => s.params.CallStatus)).toEqual(['ringing', 'no-answer']);
  });

  it('an inbound call posts /voice with Direction=inbound and the caller as From', async () => {
    const ivr = fakeIvr((_s, turn) => (turn < 1 ? gather('Who is calling?', 1) : hangup('Goodbye')));
    const { p } = phone(ivr.doFetch, []);
    const result = await p.callIn(
      { from: '+447700900123', to: '+441000000000', voiceUrl: `${BASE}/voice`, script: { name: 'inbound', answers: ['1234'] } },
      'CA' + 'b'.repeat(32),
    );
    expect(result).toMatchObject({ direction: 'inbound', said: ['1234'] });
    expect(ivr.seen[0]).toMatchObject({ url: `${BASE}/voice`, signed: true, params: { Direction: 'inbound', From: '+447700900123' } });
  });

  it('close() hangs up the calls in progress and waits for them', async () => {
    const ivr = fakeIvr((_s, turn) => gather('again', turn + 1));
    const p = new SandboxIvrPhone({
      authToken: TOKEN,
      pickScript: () => ({ name: 'loop', answers: [] }),
      ringMs: 0,
      turnMs: 5,
      fetch: ivr.doFetch,
    });
    p.dial(call);
    await new Promise((r) => setTimeout(r, 20));
    await p.close();
    expect(ivr.seen.at(-1)?.params.CallStatus).toBe('completed');
  });
});
