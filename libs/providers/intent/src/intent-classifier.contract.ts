import { INTENTS, type IntentClassifier, type IntentContext } from './intent.port';

const context: IntentContext = {
  stage: 'offer',
  prompt: 'Would this arrangement work for you?',
  currency: 'GBP',
  monthlyPence: 10000,
  months: 6,
  balancePence: 60000,
};

/** What every IntentClassifier promises, whichever model (or none) is behind it. */
export function describeIntentClassifierContract(name: string, make: () => IntentClassifier | Promise<IntentClassifier>): void {
  describe(`IntentClassifier contract: ${name}`, () => {
    let classifier: IntentClassifier;
    beforeAll(async () => {
      classifier = await make();
    });

    it.each([
      ['Yes, I accept.', 'willing_to_pay'],
      ["No, I can't afford that.", 'needs_negotiation'],
      ['Can you repeat the plan?', 'unclear'],
    ] as const)('reads %j as %s', async (text, intent) => {
      expect((await classifier.classify(text, context)).intent).toBe(intent);
    });

    it("answers in the port's terms: a known intent, confidence 0-100, integer pence or null, and who answered", async () => {
      for (const text of ['I can pay fifty pounds a month', 'Hmm', 'Who is this?']) {
        const c = await classifier.classify(text, context);
        expect(INTENTS).toContain(c.intent);
        expect(Number.isInteger(c.confidence) && c.confidence >= 0 && c.confidence <= 100).toBe(true);
        expect(c.amountPence === null || Number.isInteger(c.amountPence)).toBe(true);
        expect(['claude', 'local']).toContain(c.classifier);
        expect(typeof c.wantsRepeat).toBe('boolean');
        expect(typeof c.wantsSpecialist).toBe('boolean');
      }
    });

    it('reads an offered monthly amount in pence', async () => {
      expect((await classifier.classify('I can only manage fifty pounds a month', context)).amountPence).toBe(5000);
    });
  });
}
