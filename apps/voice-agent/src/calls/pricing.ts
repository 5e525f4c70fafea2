import type { CallCostEstimate } from '@recoup/contracts';
import type { RealtimeUsage } from '@recoup/providers/realtime-voice';

export interface Prices {
  twilioCallPerMin: number;
  openaiPerMin: number;
  recordingPerMin: number;
  sms: number;
  /** GBP per million Realtime tokens, by kind (what OpenAI bills from response.done usage). */
  openaiTokens?: {
    audioInPerM: number;
    audioOutPerM: number;
    textInPerM: number;
    textOutPerM: number;
    cachedInPerM: number;
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** GBP cost of a call of `minutes`, in the product's shape (3 min + SMS + recording = 0.265 at the default prices). */
export function estimateCost(prices: Prices, minutes: number, smsCount: number, recording: boolean): CallCostEstimate {
  return shape(
    prices.twilioCallPerMin * minutes,
    prices.sms * smsCount,
    recording ? prices.recordingPerMin * minutes : 0,
    prices.openaiPerMin * minutes,
  );
}

function shape(twilio: number, sms: number, rec: number, openai: number): CallCostEstimate {
  return {
    twilio_call_cost: round3(twilio),
    twilio_sms_cost: round3(sms),
    recording_cost: round3(rec),
    openai_cost: round3(openai),
    total: round3(twilio + sms + rec + openai),
  };
}

/**
 * GBP cost of the Realtime tokens a call used (response.done usage): audio and text, input (cached input cheaper) and
 * output. Cached tokens are part of the input count, so they are billed at the cached rate instead, not on top.
 */
export function realtimeTokenCost(prices: NonNullable<Prices['openaiTokens']>, u: RealtimeUsage): number {
  const cached = Math.min(u.cachedInputTokens, u.inputTokens);
  // OpenAI reports the cached share of the input without its kind: it is taken off the audio input first.
  const cachedAudio = Math.min(cached, u.inputAudioTokens);
  const cachedText = Math.min(cached - cachedAudio, u.inputTextTokens);
  return (
    ((u.inputAudioTokens - cachedAudio) * prices.audioInPerM +
      (u.inputTextTokens - cachedText) * prices.textInPerM +
      (cachedAudio + cachedText) * prices.cachedInPerM +
      u.outputAudioTokens * prices.audioOutPerM +
      u.outputTextTokens * prices.textOutPerM) /
    1_000_000
  );
}

/**
 * What a call actually cost: Twilio's per-minute call and recording prices on its duration, the SMS it sent, and the
 * Realtime leg from its token usage when the bridge reported it (per minute otherwise: the Gather flow, no usage).
 */
export function callCost(
  prices: Prices,
  c: { minutes: number; smsCount: number; recorded: boolean; usage?: RealtimeUsage },
): CallCostEstimate {
  const openai =
    c.usage && c.usage.responses > 0 && prices.openaiTokens
      ? realtimeTokenCost(prices.openaiTokens, c.usage)
      : prices.openaiPerMin * c.minutes;
  return shape(prices.twilioCallPerMin * c.minutes, prices.sms * c.smsCount, c.recorded ? prices.recordingPerMin * c.minutes : 0, openai);
}

/** Whole pence, rounded up: what the daily spend cap is charged. */
export function costPence(estimate: CallCostEstimate): number {
  return Math.ceil(Math.round(estimate.total * 100_000) / 1000);
}
