import { dialTwiml as dialWithFallback, gatherSpeechTwiml, sayAndHangupTwiml } from '@recoup/providers/telephony';

/** TwiML for the IVR: a neural voice, speech (and keypad) gathering, transfer; built by the telephony lib on the SDK's VoiceResponse. */

export interface VoiceOptions {
  /** A neural voice: Polly.Amy-Neural (en-GB) by default. */
  voice: string;
  language: string;
}

/**
 * Speaks inside <Gather input="speech">, so the customer can answer over the prompt. With
 * actionOnEmptyResult Twilio posts to the action even on silence: silence is an answer too
 * (no_response), handled with the same bounded retries.
 */
export function gatherTwiml(text: string, actionUrl: string, v: VoiceOptions): string {
  return gatherSpeechTwiml({
    prompt: text,
    action: actionUrl,
    voice: v.voice,
    language: v.language,
    timeoutSeconds: 6,
    actionOnEmptyResult: true,
  });
}

/**
 * Speaks inside <Gather input="dtmf speech">: the caller keys (ending with #) or says a reference or a check. Empty
 * results post too (actionOnEmptyResult), so silence is a miss like any other.
 */
export function keypadGatherTwiml(text: string, actionUrl: string, v: VoiceOptions): string {
  return gatherSpeechTwiml({
    prompt: text,
    action: actionUrl,
    voice: v.voice,
    language: v.language,
    input: 'dtmf speech',
    finishOnKey: '#',
    timeoutSeconds: 8,
    actionOnEmptyResult: true,
  });
}

export function hangupTwiml(text: string, v: VoiceOptions): string {
  return sayAndHangupTwiml([text], v.voice, v.language);
}

/** A transfer to a person; if nobody answers, a call-back promise rather than silence. */
export function dialTwiml(text: string, number: string, v: VoiceOptions): string {
  return dialWithFallback({
    say: [text],
    number,
    fallback: ['Sorry, nobody could take your call just now. A member of our team will call you back. Goodbye.'],
    voice: v.voice,
    language: v.language,
  });
}
