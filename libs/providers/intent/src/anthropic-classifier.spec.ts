import { FakeAnthropicMessages } from '@recoup/testing';
import { AnthropicIntentClassifier, INTENT_TOOL_NAME } from './anthropic-classifier';
import { createIntentClassifier } from './create-classifier';
import { MalformedIntentError, type IntentContext } from './intent.port';

const context: IntentContext = {
  stage: 'offer',
  prompt: 'Would this arrangement work for you?',
  currency: 'GBP',
  monthlyPence: 10000,
  months: 6,
  balancePence: 60000,
};

describe('AnthropicIntentClassifier on a loopback fake of the Messages API', () => {
  let fake: FakeAnthropicMessages;
  beforeAll(async () => {
    fake = await FakeAnthropicMessages.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const claude = (timeoutMs = 2000) =>
    new AnthropicIntentClassifier({ apiKey: 'sk-ant-test', model: 'claude-test', baseUrl: fake.url, timeoutMs });

  it('sends a forced tool call through the SDK and parses the answer', async () => {
    fake.respondWith(() => ({
      toolInput: {
        intent: 'needs_negotiation',
        confidence: 88,
        wants_repeat: false,
        wants_specialist: false,
        monthly_amount_offered: 45.5,
      },
    }));
    const result = await claude().classify("I can't do that, maybe 45.50", context);
    expect(result).toEqual({
      intent: 'needs_negotiation',
      confidence: 88,
      wantsRepeat: false,
      wantsSpecialist: false,
      amountPence: 4550,
      classifier: 'claude',
    });
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    // SDK 1.x sends the key as x-api-key or as a bearer token depending on the credential kind.
    expect([sent.headers['x-api-key'], sent.headers.authorization]).toContain(
      sent.headers['x-api-key'] ? 'sk-ant-test' : 'Bearer sk-ant-test',
    );
    expect(sent.headers['anthropic-version']).toBeDefined();
    expect(sent.body).toMatchObject({ model: 'claude-test', tool_choice: { type: 'tool', name: INTENT_TOOL_NAME } });
    const tools = sent.body.tools as Array<{ name: string; input_schema: { properties: Record<string, unknown> } }>;
    expect(tools[0]?.input_schema.properties.intent).toMatchObject({
      enum: ['willing_to_pay', 'needs_negotiation', 'unclear', 'no_response'],
    });
    expect(JSON.stringify(sent.body.messages)).toContain("I can't do that, maybe 45.50");
  });

  it('rejects a malformed model answer (wrong enum, confidence out of range)', async () => {
    fake.respondWith(() => ({ toolInput: { intent: 'maybe_later', confidence: 140 } }));
    await expect(claude().classify('Yes', context)).rejects.toBeInstanceOf(MalformedIntentError);
  });

  it('rejects an answer with no tool call', async () => {
    fake.respondWith(() => ({
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [{ type: 'text', text: 'Sure!' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    }));
    await expect(claude().classify('Yes', context)).rejects.toThrow(/did not call/);
  });

  describe('behind the local fallback', () => {
    const reasons: string[] = [];
    const live = () =>
      createIntentClassifier({
        mode: 'live',
        apiKey: 'sk-ant-test',
        model: 'claude-test',
        baseUrl: fake.url,
        timeoutMs: 300,
        onFallback: (r) => reasons.push(r),
      });

    it('answers with the local classifier when the model is malformed, and says so', async () => {
      fake.respondWith(() => ({ toolInput: { intent: 42 } }));
      const result = await live().classify('Yes, I accept', context);
      expect(result).toMatchObject({ intent: 'willing_to_pay', classifier: 'local', fallbackReason: 'claude malformed' });
    });

    it('answers with the local classifier when the model does not answer in time', async () => {
      fake.respondWith(() => ({ hang: true }));
      const result = await live().classify("No, I can't afford that", context);
      expect(result).toMatchObject({ intent: 'needs_negotiation', classifier: 'local', fallbackReason: 'claude timeout' });
      expect(reasons).toContain('timeout');
      expect(fake.requests).toHaveLength(1); // no SDK retries while the caller waits
    });

    it('answers with the local classifier on an API error', async () => {
      fake.respondWith(() => ({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }));
      const result = await live().classify('Can you repeat the plan?', context);
      expect(result).toMatchObject({ intent: 'unclear', wantsRepeat: true, classifier: 'local', fallbackReason: 'claude error' });
    });

    it('uses Claude when it answers', async () => {
      fake.respondWith(() => ({
        toolInput: { intent: 'willing_to_pay', confidence: 97, wants_repeat: false, wants_specialist: false, monthly_amount_offered: null },
      }));
      expect(await live().classify('Go on then', context)).toMatchObject({
        intent: 'willing_to_pay',
        confidence: 97,
        classifier: 'claude',
      });
    });

    it('in sandbox never calls the model', async () => {
      const sandbox = createIntentClassifier({ mode: 'sandbox', model: 'claude-test', baseUrl: fake.url, timeoutMs: 300 });
      expect(await sandbox.classify('Yes', context)).toMatchObject({
        intent: 'willing_to_pay',
        classifier: 'local',
        fallbackReason: 'sandbox',
      });
      expect(fake.requests).toHaveLength(0);
    });
  });
});
