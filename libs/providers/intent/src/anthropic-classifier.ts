import Anthropic, { APIConnectionTimeoutError } from '@anthropic-ai/sdk';
import { z } from 'zod';
import { INTENTS, MalformedIntentError, type Classification, type IntentClassifier, type IntentContext } from './intent.port';

export interface AnthropicClassifierOptions {
  apiKey: string;
  model: string;
  /** Loopback fake of the Messages API in tests. */
  baseUrl?: string;
  /** One attempt, no SDK retries: a caller on the phone cannot wait; the local classifier answers instead. */
  timeoutMs: number;
}

export const INTENT_TOOL_NAME = 'record_customer_intent';

/** What the tool schema promises; the model's input is parsed with it, never trusted. */
const ToolAnswer = z.object({
  intent: z.enum(INTENTS),
  confidence: z.number().min(0).max(100),
  wants_repeat: z.boolean().default(false),
  wants_specialist: z.boolean().default(false),
  monthly_amount_offered: z.number().nonnegative().nullable().optional(),
});

const INPUT_SCHEMA = {
  type: 'object' as const,
  properties: {
    intent: {
      type: 'string',
      enum: [...INTENTS],
      description:
        'willing_to_pay: accepts the plan on the table. needs_negotiation: declines, says it is unaffordable, proposes another amount or term, or asks for a person. unclear: a question, a hedge, a request to repeat, anything else. no_response: silence, noise, or speech not addressed to the caller.',
    },
    confidence: { type: 'integer', minimum: 0, maximum: 100, description: 'How sure you are, 0-100.' },
    wants_repeat: { type: 'boolean', description: 'The customer asked to hear the offer again.' },
    wants_specialist: { type: 'boolean', description: 'The customer asked to speak to a person.' },
    monthly_amount_offered: {
      type: ['number', 'null'],
      description: 'A monthly amount the customer said they can pay, in major units (50.00), or null.',
    },
  },
  required: ['intent', 'confidence', 'wants_repeat', 'wants_specialist', 'monthly_amount_offered'],
};

const SYSTEM = [
  'You classify what a customer said on an automated payment-plan phone call for a UK creditor.',
  'Call the tool exactly once. Judge only the words given; do not invent amounts.',
  'A customer who is struggling or declines is needs_negotiation, never pressure them (FCA CONC 7.3).',
].join(' ');

function describeContext(c: IntentContext): string {
  const money = (p?: number) => (p === undefined ? 'unknown' : `${(p / 100).toFixed(2)} ${c.currency}`);
  return `Stage: ${c.stage}. The caller just said: "${c.prompt}". Plan on the table: ${money(c.monthlyPence)} per month for ${c.months ?? 'unknown'} months (balance ${money(c.balancePence)}).`;
}

/** Claude through the official SDK, structured output through a forced tool call, validated with zod. */
export class AnthropicIntentClassifier implements IntentClassifier {
  readonly name = 'claude' as const;
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicClassifierOptions) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async classify(utterance: string, context: IntentContext): Promise<Classification> {
    const message = await this.client.messages.create({
      model: this.options.model,
      max_tokens: 256,
      system: SYSTEM,
      tools: [{ name: INTENT_TOOL_NAME, description: "Record the intent of the customer's answer.", input_schema: INPUT_SCHEMA }],
      tool_choice: { type: 'tool', name: INTENT_TOOL_NAME },
      messages: [{ role: 'user', content: `${describeContext(context)}\nThe customer answered: "${utterance}"` }],
    });
    const call = message.content.find((block) => block.type === 'tool_use' && block.name === INTENT_TOOL_NAME);
    if (!call || call.type !== 'tool_use')
      throw new MalformedIntentError(`the model did not call ${INTENT_TOOL_NAME} (stop_reason ${message.stop_reason ?? 'none'})`);
    const parsed = ToolAnswer.safeParse(call.input);
    if (!parsed.success)
      throw new MalformedIntentError(
        `the model's ${INTENT_TOOL_NAME} input does not match the schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
      );
    const a = parsed.data;
    return {
      intent: a.intent,
      confidence: Math.round(a.confidence),
      wantsRepeat: a.wants_repeat,
      wantsSpecialist: a.wants_specialist,
      amountPence: a.monthly_amount_offered == null ? null : Math.round(a.monthly_amount_offered * 100),
      classifier: 'claude',
    };
  }
}

export function isTimeout(err: unknown): boolean {
  return err instanceof APIConnectionTimeoutError || (err instanceof Error && err.name === 'IntentTimeoutError');
}
