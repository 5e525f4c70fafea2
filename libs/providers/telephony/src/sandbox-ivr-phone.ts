import { signTwilioRequest } from '@recoup/providers/twilio';
import type { SandboxCall, SandboxCallDriver } from './sandbox-call-placer';

/**
 * What a scripted caller says, one answer per `<Gather>` in order ('' is silence: Twilio posts the action
 * without SpeechResult when `actionOnEmptyResult` is set). Once the answers run out the caller stays silent.
 */
/** An outbound call's identity question (asked before anything about the debt). */
const IDENTITY_QUESTION = /confirm the postcode|confirm your date of birth|last four characters of the reference/i;

export interface IvrCallerScript {
  name: string;
  answers: readonly string[];
  /** The phone rings out: a `no-answer` status callback and nothing else. */
  noAnswer?: boolean;
}

/** An inbound call the sandbox places to our own voice webhook (a debtor calling the number that called them). */
export interface SandboxInboundCall {
  /** The caller's number (Twilio's From). */
  from: string;
  /** The number they called (Twilio's To): one of ours. */
  to: string;
  /** Our voice webhook, as Twilio would be configured with it. */
  voiceUrl: string;
  statusCallbackUrl?: string;
  script: IvrCallerScript;
}

/** How one sandbox call ended, for logs and tests. */
export interface SandboxIvrCallResult {
  callSid: string;
  script: string;
  direction: 'outbound-api' | 'inbound';
  finalStatus: 'completed' | 'no-answer' | 'failed';
  /** What the caller said, in order ('' for silence). */
  said: string[];
  /** The TwiML documents our webhooks answered. */
  twiml: string[];
  error?: string;
}

interface PhoneLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SandboxIvrPhoneOptions {
  /** The auth token our webhooks verify X-Twilio-Signature with (TWILIO_AUTH_TOKEN; `npm start` generates one). */
  authToken: string;
  /** The caller for this call, chosen deterministically from it (its `to` number, say). */
  pickScript: (call: SandboxCall) => IvrCallerScript;
  /**
   * What the debtor answers to an outbound call's identity question (they know their own postcode or reference): asked
   * once per call when the TwiML asks for it, before the script's answers.
   */
  identityFor?: (call: SandboxCall) => Promise<string | undefined>;
  /** How long the phone rings before it is answered, and how long the caller takes over each answer (ms). */
  ringMs?: number;
  turnMs?: number;
  /** Safety stop: a call is hung up after this many answers. */
  maxTurns?: number;
  logger?: PhoneLogger;
  onFinished?: (result: SandboxIvrCallResult) => void;
  /** For tests: where requests go (fetch by default). */
  fetch?: typeof fetch;
}

const ACCOUNT_SID = 'AC' + '0'.repeat(32);
const decodeXml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');

/** The one verb of a TwiML answer the caller acts on next. */
function nextStep(twiml: string): { kind: 'gather'; action: string } | { kind: 'redirect'; url: string } | { kind: 'end' } {
  const gather = /<Gather\b[^>]*\baction="([^"]+)"/.exec(twiml);
  if (gather?.[1]) return { kind: 'gather', action: decodeXml(gather[1]) };
  const redirect = /<Redirect\b[^>]*>([^<]+)<\/Redirect>/.exec(twiml);
  if (redirect?.[1]) return { kind: 'redirect', url: decodeXml(redirect[1].trim()) };
  // <Hangup/>, <Dial> (a transfer leaves the IVR), or a document that ends: the call is over for us.
  return { kind: 'end' };
}

interface LiveCall {
  call: SandboxCall;
  direction: 'outbound-api' | 'inbound';
  hungUp: boolean;
  redirectTwiml?: string;
}

/**
 * The sandbox phone network for a `<Gather>` IVR: plays Twilio and a scripted debtor. A dialled call rings, is
 * answered (status `in-progress`), fetches the answer URL, posts each answer to the `<Gather action>` with
 * SpeechResult, follows `<Redirect>`, and ends with a `completed` status callback (or `no-answer` for a script
 * that never picks up). Every request is signed with X-Twilio-Signature exactly as Twilio signs, so our
 * webhooks verify it like a real one. It runs in the background: `dial` returns at once, like Twilio's API.
 */
export class SandboxIvrPhone implements SandboxCallDriver {
  private readonly live = new Map<string, LiveCall>();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly o: SandboxIvrPhoneOptions) {}

  dial(call: SandboxCall): void {
    if (this.closed) return;
    this.track(this.run({ call, direction: 'outbound-api', hungUp: false }, this.o.pickScript(call)));
  }

  hangup(callSid: string): void {
    const live = this.live.get(callSid);
    if (live) live.hungUp = true;
  }

  redirect(callSid: string, twiml: string): void {
    const live = this.live.get(callSid);
    if (live) live.redirectTwiml = twiml;
  }

  /** A debtor calls our number: Twilio posts `/voice` with Direction=inbound. Resolves with how the call ended. */
  callIn(inbound: SandboxInboundCall, callSid: string): Promise<SandboxIvrCallResult> {
    const call: SandboxCall = {
      callSid,
      from: inbound.from,
      to: inbound.to,
      answerUrl: inbound.voiceUrl,
      statusCallbackUrl: inbound.statusCallbackUrl ?? '',
      idempotencyKey: `inbound:${callSid}`,
    };
    return this.track(this.run({ call, direction: 'inbound', hungUp: false }, inbound.script, 0));
  }

  /** Waits for the calls in progress (shutdown), and takes no new ones. */
  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.live.values()) live.hungUp = true;
    await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  private params(live: LiveCall, status: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: live.call.callSid,
      CallStatus: status,
      Direction: live.direction,
      From: live.call.from,
      To: live.call.to,
      ...extra,
    };
  }

  private async post(url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
    const doFetch = this.o.fetch ?? fetch;
    const res = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(this.o.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  }

  private async statusCallback(live: LiveCall, status: string, extra: Record<string, string> = {}): Promise<void> {
    if (!live.call.statusCallbackUrl) return;
    try {
      const res = await this.post(live.call.statusCallbackUrl, this.params(live, status, extra));
      if (res.status >= 300)
        this.o.logger?.warn({ callSid: live.call.callSid, status, http: res.status }, 'sandbox phone: status callback refused');
    } catch (err) {
      this.o.logger?.warn(
        { callSid: live.call.callSid, status, err: { message: (err as Error).message } },
        'sandbox phone: status callback failed',
      );
    }
  }

  private async run(live: LiveCall, script: IvrCallerScript, ringMs = this.o.ringMs ?? 1_500): Promise<SandboxIvrCallResult> {
    const { callSid } = live.call;
    this.live.set(callSid, live);
    const result: SandboxIvrCallResult = {
      callSid,
      script: script.name,
      direction: live.direction,
      finalStatus: 'completed',
      said: [],
      twiml: [],
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const started = Date.now();
    try {
      if (live.direction === 'outbound-api') {
        await pause(ringMs);
        await this.statusCallback(live, 'ringing');
      }
      if (script.noAnswer) {
        result.finalStatus = 'no-answer';
        await this.statusCallback(live, 'no-answer', { CallDuration: '0' });
        this.o.onFinished?.(result);
        return result;
      }
      if (live.direction === 'outbound-api') await this.statusCallback(live, 'in-progress');
      let url: string | undefined = live.call.answerUrl;
      let extra: Record<string, string> = {};
      const maxTurns = this.o.maxTurns ?? 20;
      let identityGiven = false;
      let answered = 0;
      while (url && !live.hungUp) {
        const res = await this.post(url, this.params(live, 'in-progress', extra));
        if (res.status !== 200) {
          // Twilio speaks "an application error has occurred" and hangs up.
          result.error = `${url} answered ${res.status}`;
          break;
        }
        let twiml = res.body;
        result.twiml.push(twiml);
        if (live.redirectTwiml) {
          twiml = live.redirectTwiml;
          live.redirectTwiml = undefined;
        }
        const step = nextStep(twiml);
        if (step.kind === 'end') break;
        if (step.kind === 'redirect') {
          url = step.url;
          extra = {};
          continue;
        }
        if (result.said.length >= maxTurns) break;
        await pause(this.o.turnMs ?? 1_500);
        const asksIdentity: boolean = !identityGiven && live.direction === 'outbound-api' && IDENTITY_QUESTION.test(twiml);
        const speech = asksIdentity ? ((await this.o.identityFor?.(live.call)) ?? '') : (script.answers[answered++] ?? '');
        identityGiven ||= asksIdentity;
        result.said.push(speech);
        url = step.action;
        extra = speech ? { SpeechResult: speech, Confidence: '0.92' } : {};
      }
    } catch (err) {
      result.error = (err as Error).message;
    } finally {
      this.live.delete(callSid);
    }
    if (result.error)
      this.o.logger?.warn({ callSid, script: script.name, err: { message: result.error } }, 'sandbox phone: the call broke off');
    await this.statusCallback(live, 'completed', { CallDuration: String(Math.max(1, Math.round((Date.now() - started) / 1000))) });
    this.o.logger?.info(
      { callSid, script: script.name, turns: result.said.length, direction: live.direction },
      'sandbox phone: call ended',
    );
    this.o.onFinished?.(result);
    return result;
  }
}
