import { emptyUsage } from '@recoup/providers/realtime-voice';
import { callCost, costPence, estimateCost, realtimeTokenCost } from './pricing';

const prices = {
  twilioCallPerMin: 0.013,
  openaiPerMin: 0.06,
  recordingPerMin: 0.002,
  sms: 0.04,
  openaiTokens: { audioInPerM: 25, audioOutPerM: 50, textInPerM: 3, textOutPerM: 12, cachedInPerM: 0.3 },
};

describe('call cost', () => {
  it("keeps the product's figure for the estimate (3 min + SMS + recording = GBP 0.265)", () => {
    expect(estimateCost(prices, 3, 1, true).total).toBe(0.265);
  });

  it('prices the Realtime leg from response.done usage when there is some, by token kind, cached input cheaper', () => {
    const usage = {
      ...emptyUsage(),
      responses: 4,
      inputTokens: 3000,
      inputAudioTokens: 2000,
      inputTextTokens: 1000,
      cachedInputTokens: 1000,
      outputTokens: 1500,
      outputAudioTokens: 1200,
      outputTextTokens: 300,
    };
    // audio in: 1000 uncached x 25 + 1000 cached x 0.3; text in 1000 x 3; out 1200 x 50 + 300 x 12; per million
    expect(realtimeTokenCost(prices.openaiTokens, usage)).toBeCloseTo((25_000 + 300 + 3_000 + 60_000 + 3_600) / 1e6, 9);
    const withUsage = callCost(prices, { minutes: 2, smsCount: 2, recorded: true, usage });
    expect(withUsage.openai_cost).toBe(0.092);
    expect(withUsage.twilio_sms_cost).toBe(0.08);
    expect(withUsage.total).toBe(Math.round((0.026 + 0.08 + 0.004 + 0.0919) * 1000) / 1000);
    // No usage (the Gather flow): per minute, as before.
    expect(callCost(prices, { minutes: 2, smsCount: 0, recorded: false }).openai_cost).toBe(0.12);
    expect(costPence(withUsage)).toBe(21);
  });
});
