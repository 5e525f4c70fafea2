/** TwiML for the IVR: a neural voice, speech gathering, transfer. Hand-written XML (no vendor SDK in apps). */

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

export interface VoiceOptions {
  /** A neural voice: Polly.Amy-Neural (en-GB) by default. */
  voice: string;
  language: string;
}

const say = (text: string, v: VoiceOptions) =>
  `<Say voice="${escapeXml(v.voice)}" language="${escapeXml(v.language)}">${escapeXml(text)}</Say>`;
const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

/**
 * Speaks inside <Gather input="speech">, so the customer can answer over the prompt. With
 * actionOnEmptyResult Twilio posts to the action even on silence: silence is an answer too
 * (no_response), handled with the same bounded retries.
 */
export function gatherTwiml(text: string, actionUrl: string, v: VoiceOptions): string {
  return xml(
    `<Gather input="speech" action="${escapeXml(actionUrl)}" method="POST" language="${escapeXml(v.language)}" speechTimeout="auto" timeout="6" actionOnEmptyResult="true">${say(text, v)}</Gather>`,
  );
}

/**
 * Speaks inside <Gather input="dtmf speech">: the caller keys (ending with #) or says a reference or a check. Empty
 * results post too (actionOnEmptyResult), so silence is a miss like any other.
 */
export function keypadGatherTwiml(text: string, actionUrl: string, v: VoiceOptions): string {
  return xml(
    `<Gather input="dtmf speech" action="${escapeXml(actionUrl)}" method="POST" language="${escapeXml(v.language)}" finishOnKey="#" speechTimeout="auto" timeout="8" actionOnEmptyResult="true">${say(text, v)}</Gather>`,
  );
}

export function hangupTwiml(text: string, v: VoiceOptions): string {
  return xml(`${say(text, v)}<Hangup/>`);
}

export function dialTwiml(text: string, number: string, v: VoiceOptions): string {
  return xml(`${say(text, v)}<Dial timeout="30">${escapeXml(number)}</Dial>`);
}
