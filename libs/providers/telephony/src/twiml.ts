import twilio from 'twilio';

/**
 * TwiML through the SDK's builder (twilio.twiml.VoiceResponse): escaping and attribute names are the SDK's, not ours.
 * Apps import these helpers (they may not import the vendor SDK themselves).
 */
type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayVoice = Parameters<VoiceResponse['say']>[0] extends infer A ? (A extends { voice?: infer V } ? V : never) : never;
type SayLanguage = Parameters<VoiceResponse['say']>[0] extends infer A ? (A extends { language?: infer L } ? L : never) : never;

/** Escapes text for XML (kept for callers that build attribute values of their own). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** British English neural voice used for every spoken line (Amazon Polly via Twilio). */
export const UK_VOICE = 'Polly.Amy-Neural';

export interface SayOptions {
  voice?: string;
  language?: string;
}

/** Anything with Twilio's `say` (a VoiceResponse or a Gather). */
interface Sayer {
  say(attributes: { voice?: SayVoice; language?: SayLanguage }, message: string): unknown;
}

function say(into: Sayer, text: string, o: SayOptions = {}): void {
  into.say({ voice: (o.voice ?? UK_VOICE) as SayVoice, language: (o.language ?? 'en-GB') as SayLanguage }, text);
}

/** `<Say>` lines then `<Connect><Stream>` with custom parameters (the per-call stream token goes here). */
export function connectStreamTwiml(options: {
  streamUrl: string;
  parameters?: Record<string, string>;
  sayFirst?: string[];
  voice?: string;
}): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const line of options.sayFirst ?? []) say(r, line, { voice: options.voice });
  const stream = r.connect().stream({ url: options.streamUrl });
  for (const [name, value] of Object.entries(options.parameters ?? {})) stream.parameter({ name, value });
  return r.toString();
}

export interface GatherOptions {
  prompt: string | string[];
  action: string;
  /** Said when nothing was heard (no action posted), then the call ends. */
  fallback?: string;
  voice?: string;
  language?: string;
  timeoutSeconds?: number;
  /** `speech` (default) or keys as well (`dtmf speech`: identity digits, "press 0 for a person"). */
  input?: 'speech' | 'dtmf speech';
  /** Keys end with this key (default #) when keys are gathered. */
  finishOnKey?: string;
  /** Post to the action on silence too (silence is an answer: bounded retries decide). */
  actionOnEmptyResult?: boolean;
}

/** `<Say>` inside `<Gather>` posting to `action`; if nothing is heard, `fallback` is said and the call ends. */
export function gatherSpeechTwiml(options: GatherOptions): string {
  const r = new twilio.twiml.VoiceResponse();
  const keys = options.input === 'dtmf speech';
  const gather = r.gather({
    input: keys ? ['dtmf', 'speech'] : ['speech'],
    action: options.action,
    method: 'POST',
    language: (options.language ?? 'en-GB') as never,
    speechTimeout: 'auto',
    timeout: options.timeoutSeconds ?? 5,
    ...(keys ? { finishOnKey: options.finishOnKey ?? '#' } : {}),
    ...(options.actionOnEmptyResult ? { actionOnEmptyResult: true } : {}),
  });
  for (const line of Array.isArray(options.prompt) ? options.prompt : [options.prompt])
    say(gather, line, { voice: options.voice, language: options.language });
  if (options.fallback) say(r, options.fallback, { voice: options.voice, language: options.language });
  r.hangup();
  return r.toString();
}

/** `<Say>` lines then `<Hangup/>` (voicemail, refusals, goodbyes). An empty list hangs up silently. */
export function sayAndHangupTwiml(lines: string[], voice?: string, language?: string): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const line of lines) say(r, line, { voice, language });
  r.hangup();
  return r.toString();
}

/**
 * A transfer to a person: `<Say>` what happens, `<Dial>` the number (our caller id shown, `timeoutSeconds` of ringing),
 * and when nobody answers or the line is busy, `fallback` (a call-back promise, never silence), then the end; with an
 * `action`, Twilio asks it what follows instead (DialCallStatus), so the call-back can be recorded.
 */
export function dialTwiml(options: {
  say: string[];
  number: string;
  callerId?: string;
  timeoutSeconds?: number;
  /** Twilio posts DialCallStatus here when the dialled leg ends; its TwiML (a call-back promise) follows. */
  action?: string;
  fallback: string[];
  voice?: string;
  language?: string;
}): string {
  const r = new twilio.twiml.VoiceResponse();
  for (const line of options.say) say(r, line, { voice: options.voice, language: options.language });
  r.dial({
    timeout: options.timeoutSeconds ?? 30,
    ...(options.callerId ? { callerId: options.callerId } : {}),
    ...(options.action ? { action: options.action, method: 'POST' } : {}),
  }).number(options.number);
  if (options.action) return r.toString();
  // <Dial> without an action goes on to the next verb once the dialled leg ends or was not answered.
  for (const line of options.fallback) say(r, line, { voice: options.voice, language: options.language });
  r.hangup();
  return r.toString();
}

/** An empty response: Twilio continues with what it was doing (status/AMD callbacks answer this). */
export function emptyTwiml(): string {
  return new twilio.twiml.VoiceResponse().toString();
}
