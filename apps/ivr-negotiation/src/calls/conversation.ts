import { spokenMonths, type Classification, type ConversationStage } from '@recoup/providers/intent';
import type { IvrCallStatus, IvrIntent } from '@recoup/contracts';
import { counterOffer, initialOffer, termOffer, type CollectionPolicy, type PlanOffer } from '../negotiation/policy';
import { planSentence, spokenMoney } from './speech';

/** What the greeting speaks, stored on the call (IvrCall.accountData): never hard-coded. */
export interface AccountData {
  creditorName: string;
  customerName: string | null;
  /** The balance spoken: the collections core's quote (quoteBalance's total), the same every message quotes. */
  balancePence: number;
  /**
   * The unpaid invoice amount, which a plan clears: the core records plans against the ledger's balance, so statutory
   * interest and compensation in `balancePence` are quoted and itemised but not spread over instalments. Absent on
   * calls recorded before it existed (then the balance itself).
   */
  principalPence?: number;
  currency: string;
  offeredPlan: PlanOffer;
  policy: CollectionPolicy;
  invoiceReference?: string | null;
  jobId?: string | null;
  contactAttemptId?: string | null;
}

/**
 * What a call speaks about an invoice, outbound or inbound alike: the creditor, the quoted balance (itemised charges
 * included) and the first offer, made over the principal under the tenant's policy.
 */
export function accountDataFor(
  invoice: { reference: string; currency: string; tenant: { name: string }; client: { name: string } },
  quote: { totalPence: number; principalPence: number },
  policy: CollectionPolicy,
  extra: Pick<AccountData, 'jobId' | 'contactAttemptId'> = {},
): AccountData {
  return {
    creditorName: invoice.tenant.name,
    customerName: invoice.client.name,
    balancePence: quote.totalPence,
    // A plan clears the invoice amount (the ledger's balance); the charges are quoted and itemised on the call.
    principalPence: quote.principalPence,
    currency: invoice.currency,
    offeredPlan: initialOffer(quote.principalPence, policy),
    policy,
    invoiceReference: invoice.reference,
    ...extra,
  };
}

/**
 * A call the debtor placed to us, before anything about the debt is said: `identify` (they confirm something only the
 * debtor knows), `reference` (we could not tell who is calling: they give an invoice reference).
 */
export type InboundStage = 'identify' | 'reference';

export interface InboundState {
  /** How the caller proves who they are once we know which account they mean. */
  method?: 'reference_last4' | 'postcode';
  /** The account the caller ID or the reference pointed at, not yet confirmed (never spoken). */
  clientId?: string;
  invoiceId?: string;
  referenceMisses: number;
  identityMisses: number;
  /** How the caller was identified, for the audit: caller ID and a check, or a reference (and a check). */
  verifiedBy?: string;
  /** Set once the caller has confirmed who they are: only then is anything about the debt spoken. */
  verified?: boolean;
}

/** Where the conversation is (IvrCall.negotiation). */
export interface NegotiationState {
  /** `verify`: an outbound call asked for the named person and the identity question; nothing about the debt yet. */
  stage: ConversationStage | 'closed' | InboundStage | 'verify';
  /** Outbound calls: identity answers given so far (bounded, checked by our code). */
  verifyAttempts?: number;
  /** Signs of vulnerability were heard: collection paused, the debtor signposted and flagged for a person. */
  vulnerable?: boolean;
  /** Calls the debtor placed: the identity steps before the offer. */
  inbound?: InboundState;
  /** The plan on the table now. */
  plan: PlanOffer;
  affordabilityAsks: number;
  counterOffers: number;
  /** The PaymentPlan recorded once the customer agreed. */
  paymentPlanId?: string;
  /** The dispute the customer raised on the call (its DSP- reference), recorded by the collections core. */
  disputeReference?: string;
}

export type CallAction = { kind: 'gather'; say: string } | { kind: 'hangup'; say: string } | { kind: 'dial'; say: string; number: string };

export interface TurnOutcome {
  intent: IvrIntent;
  status: IvrCallStatus;
  action: CallAction;
  state: NegotiationState;
  retryCount: number;
  /** The customer's words that agreed the plan. */
  confirmationResponse?: string;
  agreedPlan?: PlanOffer;
  /** The customer disputes the debt: collection stops (CONC 7.14) and the call ends. */
  disputed?: boolean;
}

export interface TurnInput {
  utterance: string;
  classification: Classification;
  account: AccountData;
  state: NegotiationState;
  retryCount: number;
  maxRetries: number;
  specialistNumber?: string;
}

/** What a plan must clear. */
export function planBase(account: AccountData): number {
  return account.principalPence ?? account.balancePence;
}

/** The statutory charges in the quoted balance, said once so nothing is an unexplained difference. */
function chargesSentence(account: AccountData): string {
  const charges = account.balancePence - planBase(account);
  if (charges <= 0) return '';
  const m = (p: number) => spokenMoney(p, account.currency);
  return ` This includes ${m(charges)} of statutory interest and compensation for late payment; the plan covers the invoice amount of ${m(planBase(account))}.`;
}

export function greeting(account: AccountData): string {
  const hello = account.customerName ? `Hello ${account.customerName}.` : 'Hello.';
  return `${hello} This is a courtesy call from ${account.creditorName} regarding your outstanding balance of ${spokenMoney(account.balancePence, account.currency)}.${chargesSentence(account)} We'd like to propose a payment plan of ${planSentence(account.offeredPlan, account.currency)}. Would this arrangement work for you? You can say yes, or tell me what you can afford.`;
}

/** The offer on a call the debtor placed, spoken only once they have confirmed who they are. */
export function inboundOffer(account: AccountData): string {
  const hello = account.customerName ? `Thank you, ${account.customerName}.` : 'Thank you.';
  return `${hello} Your outstanding balance with ${account.creditorName} is ${spokenMoney(account.balancePence, account.currency)}.${chargesSentence(account)} We'd like to propose a payment plan of ${planSentence(account.offeredPlan, account.currency)}. Would this arrangement work for you? You can say yes, or tell me what you can afford.`;
}

const ASK_AFFORDABILITY =
  'I understand, and thank you for telling me. We want a plan you can comfortably afford after your essential bills. How much could you pay each month?';

/** The question on the table, for a repeat or a retry. */
export function currentPrompt(account: AccountData, state: NegotiationState): string {
  const plan = planSentence(state.plan, account.currency);
  switch (state.stage) {
    case 'ask_affordability':
      return 'How much could you comfortably pay each month, after your essential bills?';
    case 'counter_offer':
      return `We could set up a plan of ${plan}. Would that work for you?`;
    default:
      return `The proposal is a payment plan of ${plan}, for your balance of ${spokenMoney(account.balancePence, account.currency)} with ${account.creditorName}.${chargesSentence(account)} Would this arrangement work for you?`;
  }
}

/** Words that dispute the debt itself, not the plan ("I don't owe this", "I never ordered it", "I dispute it"). */
const DISPUTE = [
  /\bdisput(e|es|ed|ing)\b/,
  /\b(don'?t|do not|never) owe\b/,
  /\b(not|isn'?t|wasn'?t) (my|our) (debt|bill|invoice|account)\b/,
  /\b(it'?s|that'?s|this is|it is) not (mine|ours)\b/,
  /\bnever (ordered|received|had|signed up for|agreed to)\b/,
  /\balready paid (it|this|that|the (bill|invoice|balance|debt))\b/,
];
const NOT_DISPUTING = /\b(not|no|don'?t|do not|never) disput/;

/** Whether the customer disputes the debt (CONC 7.14: then nobody asks them for payment until it is looked into). */
export function saysDispute(utterance: string): boolean {
  const text = utterance.toLowerCase().replace(/[’‘]/g, "'");
  return !NOT_DISPUTING.test(text) && DISPUTE.some((d) => d.test(text));
}

const STATUS: Record<IvrIntent, IvrCallStatus> = {
  willing_to_pay: 'confirmed',
  needs_negotiation: 'needs_negotiation',
  unclear: 'pending_clarification',
  no_response: 'no_response',
  vulnerable: 'completed',
};

/**
 * One turn of the call: the customer's classified answer to the question on the table decides
 * the reply. Affordability first and no pressure (CONC 7.3.4R/7.3.5G): a refusal is met with
 * "what can you afford", a counter-offer within that, and a person when nothing fits.
 */
export function decideTurn(input: TurnInput): TurnOutcome {
  const { classification: c, account, state } = input;
  const base = { intent: c.intent, status: STATUS[c.intent], retryCount: input.retryCount, state };

  const retry = (lead: string, closing: string, status: IvrCallStatus): TurnOutcome => {
    const retryCount = input.retryCount + 1;
    if (retryCount > input.maxRetries)
      return { ...base, status, retryCount, state: { ...state, stage: 'closed' }, action: { kind: 'hangup', say: closing } };
    return { ...base, status, retryCount, action: { kind: 'gather', say: `${lead} ${currentPrompt(account, state)}` } };
  };
  const noPlanFits = (): TurnOutcome => {
    const closed = { ...state, stage: 'closed' as const };
    if (input.specialistNumber) {
      return {
        ...base,
        intent: 'needs_negotiation',
        status: 'transferred',
        state: closed,
        action: {
          kind: 'dial',
          number: input.specialistNumber,
          say: "Thank you for being open with me. I'll put you through to a specialist who can look at other options with you. Please hold.",
        },
      };
    }
    return {
      ...base,
      intent: 'needs_negotiation',
      status: 'needs_negotiation',
      state: closed,
      action: {
        kind: 'hangup',
        say: `Thank you for being open with me. A specialist from ${account.creditorName} will contact you to look at other options, and you can get free, impartial debt advice from MoneyHelper. Goodbye.`,
      },
    };
  };
  const propose = (plan: PlanOffer): TurnOutcome => {
    const next: NegotiationState = { ...state, stage: 'counter_offer', plan, counterOffers: state.counterOffers + 1 };
    return {
      ...base,
      intent: 'needs_negotiation',
      status: 'needs_negotiation',
      state: next,
      action: { kind: 'gather', say: `Thank you. ${currentPrompt(account, next)}` },
    };
  };
  /** An amount or a term the customer named, turned into a plan within policy. */
  const fromCustomerTerms = (): PlanOffer | null | undefined => {
    if (c.amountPence !== null && c.amountPence > 0) return counterOffer(planBase(account), c.amountPence, account.policy);
    const months = spokenMonths(input.utterance);
    if (months !== null) return termOffer(planBase(account), months, account.policy);
    return undefined;
  };

  if (saysDispute(input.utterance)) {
    return {
      ...base,
      intent: 'needs_negotiation',
      status: 'completed',
      state: { ...state, stage: 'closed' },
      disputed: true,
      action: {
        kind: 'hangup',
        say: `Thank you for telling me. I've noted that you dispute this debt, so ${account.creditorName} will not ask you for payment while it is looked into. You can contact ${account.creditorName} at any time with anything that supports your dispute. Goodbye.`,
      },
    };
  }
  if (c.wantsSpecialist && c.intent !== 'willing_to_pay') return noPlanFits();
  if (c.wantsRepeat)
    return retry(
      'Of course.',
      `No problem. We'll send the details in writing, and you can call ${account.creditorName} back at any time. Goodbye.`,
      'pending_clarification',
    );
  if (c.intent === 'no_response')
    return retry(
      "Sorry, I didn't hear anything.",
      "We didn't hear a response, so we'll try again another time, or you can call us back. Goodbye.",
      'no_response',
    );

  if (state.stage === 'ask_affordability') {
    const plan = fromCustomerTerms();
    if (plan) return propose(plan);
    if (plan === null || c.intent === 'needs_negotiation') return noPlanFits();
    return retry(
      "Sorry, I didn't catch an amount.",
      "I'm sorry, I couldn't understand. We'll send the details in writing, and you can call us back at any time. Goodbye.",
      'pending_clarification',
    );
  }

  if (c.intent === 'willing_to_pay') {
    const agreed = state.plan;
    return {
      ...base,
      state: { ...state, stage: 'closed' },
      confirmationResponse: input.utterance,
      agreedPlan: agreed,
      action: {
        kind: 'hangup',
        say: `Thank you. Your plan of ${planSentence(agreed, account.currency)} is agreed. We'll send you written confirmation. If your circumstances change, please get in touch. Goodbye.`,
      },
    };
  }
  if (c.intent === 'needs_negotiation') {
    const plan = fromCustomerTerms();
    if (plan) return propose(plan);
    if (plan === null || state.affordabilityAsks >= 2) return noPlanFits();
    const next: NegotiationState = { ...state, stage: 'ask_affordability', affordabilityAsks: state.affordabilityAsks + 1 };
    return { ...base, state: next, action: { kind: 'gather', say: ASK_AFFORDABILITY } };
  }
  return retry(
    "Sorry, I didn't quite catch that.",
    "I'm sorry, I couldn't understand. We'll send the details in writing, and you can call us back at any time. Goodbye.",
    'pending_clarification',
  );
}
