import type { CallCostEstimate } from '@recoup/contracts';

export interface Prices {
  twilioCallPerMin: number;
  openaiPerMin: number;
  recordingPerMin: number;
  sms: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** GBP cost of a call of `minutes`, in the product's shape (3 min + SMS + recording = 0.265 at the default prices). */
export function estimateCost(prices: Prices, minutes: number, smsCount: number, recording: boolean): CallCostEstimate {
  const twilio = prices.twilioCallPerMin * minutes;
  const sms = prices.sms * smsCount;
  const rec = recording ? prices.recordingPerMin * minutes : 0;
  const openai = prices.openaiPerMin * minutes;
  return {
    twilio_call_cost: round3(twilio),
    twilio_sms_cost: round3(sms),
    recording_cost: round3(rec),
    openai_cost: round3(openai),
    total: round3(twilio + sms + rec + openai),
  };
}

/** Whole pence, rounded up: what the daily spend cap is charged. */
export function costPence(estimate: CallCostEstimate): number {
  return Math.ceil(Math.round(estimate.total * 100_000) / 1000);
}
