import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '@recoup/providers/twilio';
import type { SandboxCall, SandboxCallDriver } from '@recoup/providers/telephony';

export interface FakeIvrCall extends SandboxCall {
  /** Every TwiML document the app answered, in order. */
  twiml: string[];
  /** The Gather action the app asked Twilio to post the next answer to. */
  nextAction?: string;
  statuses: string[];
  /** `inbound`: the debtor called us (Twilio fetches our /voice with no call id of ours). */
  direction?: 'inbound' | 'outbound-api';
  /** The last request sent, for redelivery (Twilio retries a webhook on a timeout or a 5xx). */
  last?: { url: string; params: Record<string, string> };
}

/**
 * Plays Twilio for the IVR in tests: takes the dial from the sandbox call placer, then, as the
 * test says, fetches the answer URL and posts speech to each <Gather action>, signing every
 * request with X-Twilio-Signature exactly as Twilio does.
 */
export class FakeTwilioIvr implements SandboxCallDriver {
  readonly calls = new Map<string, FakeIvrCall>();
  private readonly waiters: Array<(call: FakeIvrCall) => void> = [];

  constructor(private readonly authToken: string) {}

  dial(call: SandboxCall): void {
    const record: FakeIvrCall = { ...call, twiml: [], statuses: [] };
    this.calls.set(call.callSid, record);
    for (const w of this.waiters.splice(0)) w(record);
  }

  hangup(callSid: string): void {
    this.calls.get(callSid)?.statuses.push('completed');
  }

  /** The next call dialled (or one already dialled to `to`). */
  nextCall(to?: string): Promise<FakeIvrCall> {
    const found = [...this.calls.values()].find((c) => (to ? c.to === to : false));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = (c: FakeIvrCall) => (to && c.to !== to ? this.waiters.push(waiter) : resolve(c));
      this.waiters.push(waiter);
    });
  }

  async post(url: string, params: Record<string, string>, signWith = this.authToken): Promise<Response> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(signWith, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    return res;
  }

  private params(call: FakeIvrCall, extra: Record<string, string> = {}): Record<string, string> {
    return {
      CallSid: call.callSid,
      AccountSid: 'AC' + '0'.repeat(32),
      From: call.from,
      To: call.to,
      Direction: call.direction ?? 'outbound-api',
      CallStatus: 'in-progress',
      ...extra,
    };
  }

  private async exchange(call: FakeIvrCall, url: string, params: Record<string, string>): Promise<string> {
    call.last = { url, params };
    const res = await this.post(url, params);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body}`);
    call.twiml.push(body);
    const action = /<Gather[^>]*action="([^"]+)"/.exec(body)?.[1];
    call.nextAction = action ? action.replace(/&amp;/g, '&') : undefined;
    return body;
  }

  /**
   * A debtor dials one of our numbers: `from` is their caller ID, `to` the number they dialled. Twilio then fetches
   * the number's voice URL (our /voice, no call id of ours) with Direction=inbound; `answer` does that.
   */
  callIn(baseUrl: string, opts: { from: string; to: string }): FakeIvrCall {
    const base = baseUrl.replace(/\/+$/, '');
    const call: FakeIvrCall = {
      callSid: `CA${randomBytes(16).toString('hex')}`,
      from: opts.from,
      to: opts.to,
      answerUrl: `${base}/voice`,
      statusCallbackUrl: `${base}/status`,
      direction: 'inbound',
      idempotencyKey: `inbound:${opts.from}`,
      twiml: [],
      statuses: [],
    };
    this.calls.set(call.callSid, call);
    return call;
  }

  /** The caller keys digits (then #) in answer to the last <Gather input="dtmf speech">. */
  key(call: FakeIvrCall, digits: string): Promise<string> {
    if (!call.nextAction) throw new Error('the last TwiML has no <Gather>: the call is over');
    return this.exchange(call, call.nextAction, this.params(call, { Digits: digits, FinishedOnKey: '#' }));
  }

  /** The callee picks up: Twilio fetches the answer URL. */
  answer(call: FakeIvrCall): Promise<string> {
    return this.exchange(call, call.answerUrl, this.params(call));
  }

  /**
   * The debtor picks up and confirms who they are (the identity question comes before anything about the debt):
   * answers with the offer's TwiML.
   */
  async answerAsDebtor(call: FakeIvrCall, identity = 'Yes, it is SW1A 1AA.'): Promise<string> {
    await this.answer(call);
    return this.say(call, identity);
  }

  /** The callee says something (empty: silence) in answer to the last <Gather>. */
  say(call: FakeIvrCall, speech: string): Promise<string> {
    if (!call.nextAction) throw new Error('the last TwiML has no <Gather>: the call is over');
    return this.exchange(call, call.nextAction, this.params(call, speech ? { SpeechResult: speech, Confidence: '0.92' } : {}));
  }

  /** Twilio retries the same request (a timeout on its side). */
  async redeliver(call: FakeIvrCall): Promise<{ status: number; body: string; replayed: boolean }> {
    if (!call.last) throw new Error('nothing to redeliver');
    const res = await this.post(call.last.url, call.last.params);
    return { status: res.status, body: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  /** A status callback (completed, no-answer, busy, failed). */
  async status(call: FakeIvrCall, status: string): Promise<number> {
    call.statuses.push(status);
    const res = await this.post(call.statusCallbackUrl, this.params(call, { CallStatus: status }));
    return res.status;
  }
}
