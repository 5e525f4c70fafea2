import { spokenAmounts, spokenMonths } from './amounts';
import { classifyLocally } from './local-classifier';
import type { IntentContext } from './intent.port';

const offer: IntentContext = {
  stage: 'offer',
  prompt: 'Would this arrangement work for you?',
  currency: 'GBP',
  monthlyPence: 10000,
  months: 6,
  balancePence: 60000,
};

describe('spoken amounts', () => {
  it.each([
    ['I can pay £50 a month', 5000],
    ['fifty pounds', 5000],
    ['a hundred and twenty quid', 12000],
    ['twenty five pounds a month', 2500],
    ['£75.50', 7550],
    ['about 1,200 pounds', 120000],
    ['I could do a hundred', 10000],
  ])('%s -> %i pence', (text, pence) => {
    expect(spokenAmounts(text)[0]?.pence).toBe(pence);
  });

  it('does not read a term as money', () => {
    expect(spokenAmounts('over 12 months')).toEqual([]);
    expect(spokenMonths('can I pay it over 18 months')).toBe(18);
    expect(spokenMonths('over two years')).toBe(24);
  });
});

describe('local intent classifier', () => {
  it.each([
    ['Yes, I accept.', 'willing_to_pay'],
    ["No, I can't afford that.", 'needs_negotiation'],
    ['Can you repeat the plan?', 'unclear'],
    ['', 'no_response'],
    ['Um... hello?', 'no_response'],
    ['No problem, that works.', 'willing_to_pay'],
  ] as const)('%s -> %s', (text, intent) => {
    expect(classifyLocally(text, offer).intent).toBe(intent);
  });

  it('flags a repeat request, a request for a person and an offered amount', () => {
    expect(classifyLocally('Could you say that again?', offer)).toMatchObject({ intent: 'unclear', wantsRepeat: true });
    expect(classifyLocally('Can I talk to a real person?', offer)).toMatchObject({ intent: 'needs_negotiation', wantsSpecialist: true });
    expect(classifyLocally('I can only manage fifty pounds a month', offer)).toMatchObject({
      intent: 'needs_negotiation',
      amountPence: 5000,
    });
    expect(classifyLocally('About forty', { ...offer, stage: 'ask_affordability' })).toMatchObject({
      intent: 'needs_negotiation',
      amountPence: 4000,
    });
  });

  it('is deterministic and labels itself', () => {
    const a = classifyLocally('Yeah, go on then', offer);
    expect(a).toEqual(classifyLocally('Yeah, go on then', offer));
    expect(a.classifier).toBe('local');
    expect(a.confidence).toBeGreaterThanOrEqual(0);
    expect(a.confidence).toBeLessThanOrEqual(100);
  });
});
