import type { PlanOffer } from '../negotiation/policy';

const SYMBOLS: Record<string, string> = { GBP: '£', USD: '$', EUR: '€' };

/** An amount as the voice should say it: "£100" or "£166.67". */
export function spokenMoney(pence: number, currency: string): string {
  const symbol = SYMBOLS[currency];
  const amount = pence % 100 === 0 ? String(pence / 100) : (pence / 100).toFixed(2);
  return symbol ? `${symbol}${amount}` : `${amount} ${currency}`;
}

export function planSentence(plan: PlanOffer, currency: string): string {
  const m = (p: number) => spokenMoney(p, currency);
  const months = plan.months === 1 ? 'a single payment' : `${m(plan.monthlyPence)} per month for ${plan.months} months`;
  const single = plan.months === 1 ? `${months} of ${m(plan.totalPence)}` : months;
  const last = plan.months > 1 && plan.finalPence !== plan.monthlyPence ? `, with a final payment of ${m(plan.finalPence)}` : '';
  const settlement =
    plan.kind === 'settlement' && plan.settlementDiscountPercent
      ? `, a reduced total of ${m(plan.totalPence)} after a ${plan.settlementDiscountPercent} percent reduction`
      : '';
  return `${single}${last}${settlement}`;
}
