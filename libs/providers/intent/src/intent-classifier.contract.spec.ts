import { FakeAnthropicMessages } from '@recoup/testing';
import { AnthropicIntentClassifier } from './anthropic-classifier';
import { describeIntentClassifierContract } from './intent-classifier.contract';
import { LocalIntentClassifier, classifyLocally } from './local-classifier';

describeIntentClassifierContract('local rules', () => new LocalIntentClassifier());

// The real adapter on the official SDK, against a loopback Messages API whose "model" answers like a careful reader would.
let fake: FakeAnthropicMessages;
afterAll(() => fake?.close());
describeIntentClassifierContract('Claude adapter on a loopback Messages API', async () => {
  fake = await FakeAnthropicMessages.start();
  fake.respondWith((req) => {
    const said =
      /The customer answered: "(.*)"$/s.exec(String((req.body.messages as Array<{ content: string }>)[0]?.content ?? ''))?.[1] ?? '';
    const c = classifyLocally(said, { stage: 'offer', prompt: '', currency: 'GBP' });
    return {
      toolInput: {
        intent: c.intent,
        confidence: c.confidence,
        wants_repeat: c.wantsRepeat,
        wants_specialist: c.wantsSpecialist,
        monthly_amount_offered: c.amountPence === null ? null : c.amountPence / 100,
      },
    };
  });
  return new AnthropicIntentClassifier({ apiKey: 'sk-ant-test', model: 'claude-test', baseUrl: fake.url, timeoutMs: 2000 });
});
