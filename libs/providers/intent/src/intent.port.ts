/**
 * Intent detection for the IVR: what a customer's spoken answer to a payment-plan offer means.
 * Domain types only: no vendor type crosses this port.
 */
export const INTENTS = ['willing_to_pay', 'needs_negotiation', 'unclear', 'no_response'] as const;
export type Intent = (typeof INTENTS)[number];

export type ClassifierName = 'claude' | 'local';

/** What the IVR had just asked, so "yes" can be read against the right question. */
export type ConversationStage = 'offer' | 'ask_affordability' | 'counter_offer' | 'confirm';

export interface IntentContext {
  stage: ConversationStage;
  /** The prompt the customer is answering, as spoken. */
  prompt: string;
  currency: string;
  /** The plan on the table, in minor units. */
  monthlyPence?: number;
  months?: number;
  balancePence?: number;
}

export interface Classification {
  intent: Intent;
  /** 0-100. */
  confidence: number;
  /** The customer asked to hear the offer again. */
  wantsRepeat: boolean;
  /** The customer asked for a person. */
  wantsSpecialist: boolean;
  /** A monthly amount the customer said they could pay, in minor units. */
  amountPence: number | null;
  /** Which classifier produced this answer. */
  classifier: ClassifierName;
  /** Why a fallback answered (sandbox, timeout, error, malformed answer). */
  fallbackReason?: string;
}

export interface IntentClassifier {
  readonly name: ClassifierName;
  classify(utterance: string, context: IntentContext): Promise<Classification>;
}

/** The model answered, but not with what the tool schema promised. */
export class MalformedIntentError extends Error {
  override name = 'MalformedIntentError';
}
