/**
 * Small TwiML builders. Hand-written rather than the SDK's VoiceResponse so they stay usable
 * from code that must not import the vendor SDK, and cheap on the answer-webhook path.
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

/** British English neural voice used for every spoken line (Amazon Polly via Twilio). */
export const UK_VOICE = 'Polly.Amy-Neural';

export interface SayOptions {
  voice?: string;
  language?: string;
}

function say(text: string, o: SayOptions = {}): string {
  return `<Say voice="${escapeXml(o.voice ?? UK_VOICE)}" language="${escapeXml(o.language ?? 'en-GB')}">${escapeXml(text)}</Say>`;
}

/** `<Say>` lines then `<Connect><Stream>` with custom parameters (the per-call stream token goes here). */
export function connectStreamTwiml(options: {
  streamUrl: string;
  parameters?: Record<string, string>;
  sayFirst?: string[];
  voice?: string;
}): string {
  const params = Object.entries(options.parameters ?? {})
    .map(([name, value]) => `<Parameter name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join('');
  const lines = (options.sayFirst ?? []).map((t) => say(t, { voice: options.voice })).join('');
  return `${HEAD}<Response>${lines}<Connect><Stream url="${escapeXml(options.streamUrl)}">${params}</Stream></Connect></Response>`;
}

/** `<Say>` then `<Gather input="speech">` posting to `action`; if nothing is heard, `fallback` is said and the call ends. */
export function gatherSpeechTwiml(options: {
  prompt: string;
  action: string;
  fallback?: string;
  voice?: string;
  timeoutSeconds?: number;
}): string {
  const gather = `<Gather input="speech" action="${escapeXml(options.action)}" method="POST" language="en-GB" speechTimeout="auto" timeout="${options.timeoutSeconds ?? 5}">${say(options.prompt, { voice: options.voice })}</Gather>`;
  const fallback = options.fallback ? say(options.fallback, { voice: options.voice }) : '';
  return `${HEAD}<Response>${gather}${fallback}<Hangup/></Response>`;
}

/** `<Say>` lines then `<Hangup/>` (voicemail, refusals, goodbyes). An empty list hangs up silently. */
export function sayAndHangupTwiml(lines: string[], voice?: string): string {
  return `${HEAD}<Response>${lines.map((t) => say(t, { voice })).join('')}<Hangup/></Response>`;
}

/** An empty response: Twilio continues with what it was doing (status/AMD callbacks answer this). */
export function emptyTwiml(): string {
  return `${HEAD}<Response/>`;
}
