import { effectiveStatus, quoteInvoiceBalance } from '@recoup/collections';
import { normalisePhoneNumber, type ComplianceService, type ContactReason, type ReasonCode } from '@recoup/compliance';
import type { IvrTranscriptTurn } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { resolvePolicy, type CollectionPolicy } from '../negotiation/policy';
import type { CallEvents } from './call-events';
import { accountDataFor, inboundOffer, type AccountData, type InboundState, type NegotiationState } from './conversation';
import { InboundCallRepository, type InboundInvoice } from './inbound-call.repository';
import { identityAnswerMatches, postcodeOf, type InboundAnswer } from './inbound-identity';
import { IvrCallRepository, negotiationOf, toView, transcriptOf, type IvrCall, type IvrCallUpdate } from './ivr-call.repository';
import { dialTwiml, gatherTwiml, hangupTwiml, keypadGatherTwiml, type VoiceOptions } from './twiml';

export interface InboundCallsOptions {
  db: Database;
  repository: IvrCallRepository;
  inbound: InboundCallRepository;
  compliance: ComplianceService;
  events: CallEvents;
  logger: Logger;
  voice: VoiceOptions;
  defaultPolicy: CollectionPolicy;
  specialistNumber?: string;
  /** The <Gather action> of a turn (the service's /process-response URL for this call). */
  actionUrl: (row: IvrCall, turn: number) => string;
  clock?: () => Date;
}

/** Twilio's parameters of a call placed to us. */
export interface InboundCallParams {
  callSid: string;
  /** Caller ID, as Twilio gives it (E.164, or "anonymous"). */
  from?: string;
  /** The number the caller dialled: one of a tenant's IVR numbers. */
  to?: string;
}

export type { InboundAnswer } from './inbound-identity';

/**
 * Rules that exist to protect a debtor from calls we place and are waived when the debtor calls us: the time of day
 * and their preferred times (CONC 7.9 is about contact at unreasonable times we choose), call frequency and spacing,
 * Ofcom's abandoned-call and answering-machine rules, the thresholds for placing an automated call, and the stored
 * number's validity (they called from a number; we reached them). Everything else — a dispute (CONC 7.14), a
 * Breathing Space moratorium (SI 2020/1311 reg 7: no payment is asked for even on contact they asked for), a stop
 * request, vulnerability (FG21/1), a capacity concern (CONC 7.10), a closed debt — is honoured, and a code added to the
 * engine later is honoured too until it is listed here.
 */
const WAIVED_WHEN_DEBTOR_CALLS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'OUTSIDE_CONTACT_HOURS',
  'OUTSIDE_PREFERRED_TIMES',
  'AUTOMATED_CALL_TOO_SOON',
  'ABANDONED_CALL_QUIET_PERIOD',
  'ANSWERING_MACHINE_TODAY',
  'FREQUENCY_CAP_REACHED',
  'RECENT_CONVERSATION',
  'NOT_OVERDUE_LONG_ENOUGH',
  'BALANCE_BELOW_CALL_MINIMUM',
  'INVALID_PHONE_NUMBER',
  'CONTACT_DETAILS_MISSING',
  'CHANNEL_NOT_PREFERRED',
  'INVALID_TIMEZONE',
  // TCPA consent covers calls made *to* a consumer in an artificial voice (47 USC 227(b)), not calls they place.
  'ARTIFICIAL_VOICE_CONSENT_MISSING',
]);

/** Wrong references or identity answers before the call ends politely, without a word about any account. */
const MAX_MISSES = 2;
const WITHHELD = '[identity answer withheld]';

const emptyPlan = { monthlyPence: 0, months: 1, finalPence: 0, totalPence: 0, settlementDiscountPercent: null, kind: 'offered' as const };

/**
 * Calls a debtor places to a tenant's IVR number (Twilio `Direction=inbound`): the tenant by the number called, the
 * debtor by caller ID among that tenant's debtors with a collectable invoice, or by an invoice reference keyed or said.
 * Nothing about any debt is said until the caller has confirmed something only the debtor knows (CONC 7.9.7R: identity
 * before disclosure); then the compliance engine decides (debtor-initiated) and the offer and negotiation are the
 * outbound call's. The call is one IvrCall row (campaign `inbound`), updated in place and published like any other.
 */
export class InboundCalls {
  constructor(private readonly o: InboundCallsOptions) {}

  private now(): Date {
    return this.o.clock?.() ?? new Date();
  }

  private async save(row: IvrCall, update: IvrCallUpdate): Promise<IvrCall> {
    const saved = await this.o.repository.update(row.id, update);
    this.o.events.publish(saved.tenantId, { type: 'updated', call: toView(saved) });
    return saved;
  }

  private nextTurn(row: IvrCall, extra = 0): number {
    return transcriptOf(row).filter((t) => t.speaker === 'customer').length + 1 + extra;
  }

  /** The question the caller must answer now; the first time, after a welcome naming the creditor they called. */
  private ask(state: InboundState, welcomeFrom?: string): string {
    const welcome = welcomeFrom ? `Thank you for calling ${welcomeFrom}. ` : '';
    if (!state.method) {
      return `${welcome}To find your account, please key in the reference on your invoice, using the numbers on your keypad and then the hash key, or say it.`;
    }
    return state.method === 'postcode'
      ? `${welcome}To protect your account, please say the postcode of your address.`
      : `${welcome}To protect your account, please key or say the last four characters of the reference on your invoice.`;
  }

  /** GET|POST /voice for a call we did not place. */
  async answer(p: InboundCallParams): Promise<string> {
    const to = p.to ? normalisePhoneNumber(p.to) : null;
    const tenant = await this.o.inbound.tenantForNumber(to ?? p.to ?? null);
    if (!tenant) {
      this.o.logger.warn({ callSid: p.callSid }, 'inbound call to a number no tenant has registered');
      return hangupTwiml('Sorry, this number cannot take your call. Goodbye.', this.o.voice);
    }
    const caller = p.from ? normalisePhoneNumber(p.from) : null;
    const matches = caller ? await this.o.inbound.callerMatches(tenant.id, caller) : [];
    const one = matches.length === 1 ? (matches[0] ?? null) : null;
    const owners = new Set(matches.map((m) => m.clientId));
    const postcode = one ? postcodeOf(one.client.address) : null;
    // One debtor with one collectable invoice: confirm who they are. Otherwise (nobody, several debtors on one number,
    // several invoices) the invoice reference says which account the call is about.
    const state: InboundState = one
      ? {
          method: postcode ? 'postcode' : 'reference_last4',
          clientId: one.clientId,
          invoiceId: one.id,
          referenceMisses: 0,
          identityMisses: 0,
        }
      : { referenceMisses: 0, identityMisses: 0 };
    const negotiation: NegotiationState = {
      stage: one ? 'identify' : 'reference',
      plan: emptyPlan,
      affordabilityAsks: 0,
      counterOffers: 0,
      inbound: state,
    };
    const account: AccountData = {
      creditorName: tenant.name,
      customerName: null,
      balancePence: 0,
      currency: 'GBP',
      offeredPlan: emptyPlan,
      policy: this.o.defaultPolicy,
    };
    const { row, created } = await this.o.inbound.create({
      tenantId: tenant.id,
      callSid: p.callSid,
      callerPhone: caller ?? p.from ?? 'unknown',
      // The number is the debtor's own: the call is theirs for a subject access request even if they never confirm.
      clientId: owners.size === 1 ? ([...owners][0] ?? null) : null,
      account,
      state: negotiation,
    });
    if (created) this.o.events.publish(row.tenantId, { type: 'created', call: toView(row) });
    this.o.logger.info({ callSid: p.callSid, tenantId: tenant.id, callerMatches: matches.length }, 'inbound ivr call');
    return this.prompt(row);
  }

  /** The question on the table before the caller is identified (a first /voice, or Twilio fetching it again). */
  async prompt(row: IvrCall): Promise<string> {
    const state = negotiationOf(row).inbound ?? { referenceMisses: 0, identityMisses: 0 };
    const say = this.ask(state, (row.accountData as unknown as AccountData).creditorName);
    const saved = await this.save(row, {
      transcript: [...transcriptOf(row), { speaker: 'agent', text: say, at: this.now().toISOString() }],
      replyText: say,
    });
    return keypadGatherTwiml(say, this.o.actionUrl(saved, this.nextTurn(row)), this.o.voice);
  }

  /** POST /process-response while the caller is identifying themself. */
  async respond(row: IvrCall, answer: InboundAnswer): Promise<string> {
    const negotiation = negotiationOf(row);
    const state: InboundState = negotiation.inbound ?? { referenceMisses: 0, identityMisses: 0 };
    const given = answer.digits || answer.speech;
    const fromKeypad = !!answer.digits;

    if (negotiation.stage === 'reference') {
      const invoice = given ? await this.o.inbound.invoiceByReference(row.tenantId, given, fromKeypad) : null;
      const customer: IvrTranscriptTurn = {
        speaker: 'customer',
        text: given,
        at: this.now().toISOString(),
        note: invoice ? 'reference: matched' : 'reference: no match',
      };
      if (!invoice) return this.miss(row, negotiation, { ...state, referenceMisses: state.referenceMisses + 1 }, customer, !given);
      const caller = normalisePhoneNumber(row.callerPhone);
      const postcode = postcodeOf(invoice.client.address);
      // The reference and the number on file together identify the caller; from another number, the postcode on
      // file is asked as well when there is one (the reference alone is what their invoice shows).
      if (caller && caller === invoice.client.phone) return this.admit(row, invoice, 'caller ID and invoice reference', [customer]);
      if (!postcode) return this.admit(row, invoice, 'invoice reference', [customer]);
      const next: InboundState = {
        ...state,
        method: 'postcode',
        clientId: invoice.clientId,
        invoiceId: invoice.id,
        verifiedBy: 'invoice reference',
      };
      const say = `Thank you. ${this.ask(next)}`;
      const saved = await this.save(row, {
        transcript: [...transcriptOf(row), customer, { speaker: 'agent', text: say, at: this.now().toISOString() }],
        replyText: say,
        negotiation: { ...negotiation, stage: 'identify', inbound: next },
      });
      return keypadGatherTwiml(say, this.o.actionUrl(saved, this.nextTurn(row, 1)), this.o.voice);
    }

    // stage identify: the check is made here, in our code, against the record (never by the classifier).
    const invoice = state.invoiceId ? await this.o.inbound.invoice(row.tenantId, state.invoiceId) : null;
    const matched =
      !!invoice &&
      !!state.method &&
      identityAnswerMatches(state.method, { reference: invoice.reference, address: invoice.client.address }, answer);
    const customer: IvrTranscriptTurn = {
      speaker: 'customer',
      text: given ? WITHHELD : '',
      at: this.now().toISOString(),
      note: matched ? 'identity: confirmed' : 'identity: no match',
    };
    if (!matched || !invoice) return this.miss(row, negotiation, { ...state, identityMisses: state.identityMisses + 1 }, customer, !given);
    const check = state.method === 'postcode' ? 'postcode' : 'last four characters of the reference';
    return this.admit(row, invoice, `${state.verifiedBy ?? 'caller ID'} and ${check}`, [customer]);
  }

  /** A wrong or missing answer: once more, then a polite goodbye that says nothing about any account. */
  private async miss(
    row: IvrCall,
    negotiation: NegotiationState,
    state: InboundState,
    customer: IvrTranscriptTurn,
    silent: boolean,
  ): Promise<string> {
    const creditor = (row.accountData as unknown as AccountData).creditorName;
    const misses = negotiation.stage === 'reference' ? state.referenceMisses : state.identityMisses;
    const transcript = [...transcriptOf(row), customer];
    if (misses >= MAX_MISSES) {
      const say = `Sorry, we couldn't find your account from those details. Please check the reference on your invoice and call us again, or write to ${creditor}. Goodbye.`;
      await this.save(row, {
        transcript: [...transcript, { speaker: 'agent', text: say, at: this.now().toISOString() }],
        replyText: say,
        status: 'completed',
        negotiation: { ...negotiation, stage: 'closed', inbound: state },
      });
      this.o.logger.info({ callSid: row.callSid, stage: negotiation.stage }, 'inbound caller not identified');
      return hangupTwiml(say, this.o.voice);
    }
    const lead = silent ? "Sorry, I didn't hear anything." : "Sorry, that doesn't match our records. Please try once more.";
    const say = `${lead} ${this.ask(state)}`;
    const saved = await this.save(row, {
      transcript: [...transcript, { speaker: 'agent', text: say, at: this.now().toISOString() }],
      replyText: say,
      negotiation: { ...negotiation, inbound: state },
    });
    return keypadGatherTwiml(say, this.o.actionUrl(saved, this.nextTurn(row, 1)), this.o.voice);
  }

  /**
   * The caller is the debtor: the compliance engine decides (debtor-initiated, audited in compliance_audit), the call
   * takes the debtor's account data, and the offer is spoken, or the reason nobody will ask them for payment.
   */
  private async admit(row: IvrCall, invoice: InboundInvoice, verifiedBy: string, turns: IvrTranscriptTurn[]): Promise<string> {
    const now = this.now();
    const negotiation = negotiationOf(row);
    const decision = await this.o.compliance.evaluate({
      tenantId: row.tenantId,
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      channel: 'ivr_call',
      purpose: 'payment_plan',
      actor: 'ivr:inbound',
      debtorRequested: true,
      now,
    });
    const honoured = decision.reasons.filter((r) => r.severity === 'deny' && !WAIVED_WHEN_DEBTOR_CALLS.has(r.code));
    // The one balance every message and call quotes (statutory charges only where the creditor claims them).
    const quote = await quoteInvoiceBalance(this.o.db, { ...invoice, status: effectiveStatus(invoice, now) }, now);
    const policy = resolvePolicy(invoice.tenant.collectionPolicy, this.o.defaultPolicy);
    const account = accountDataFor(invoice, quote, policy);
    const identified = await this.o.inbound.identify(row.id, {
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      customerName: invoice.client.name,
      account,
      sensitive: invoice.client.vulnerable || invoice.client.mentalCapacityConcern,
    });
    const inbound: InboundState = { ...(negotiation.inbound ?? { referenceMisses: 0, identityMisses: 0 }), verifiedBy, verified: true };
    this.o.logger.info(
      { callSid: row.callSid, allowed: honoured.length === 0, reasons: decision.reasons.map((r) => r.code), auditId: decision.auditId },
      'inbound caller identified',
    );
    const at = now.toISOString();
    if (honoured.length > 0 || quote.principalPence <= 0) {
      const { say, transfer } = this.noOffer(honoured[0], account);
      const number = transfer ? this.o.specialistNumber : undefined;
      await this.save(identified, {
        transcript: [...transcriptOf(row), ...turns, { speaker: 'agent', text: say(!!number), at }],
        replyText: say(!!number),
        status: number ? 'transferred' : 'completed',
        paymentPlan: null,
        negotiation: { ...negotiation, stage: 'closed', plan: account.offeredPlan, inbound },
      });
      return number ? dialTwiml(say(true), number, this.o.voice) : hangupTwiml(say(false), this.o.voice);
    }
    const say = inboundOffer(account);
    const saved = await this.save(identified, {
      transcript: [...transcriptOf(row), ...turns, { speaker: 'agent', text: say, at }],
      replyText: say,
      negotiation: { stage: 'offer', plan: account.offeredPlan, affordabilityAsks: 0, counterOffers: 0, inbound },
    });
    // `turns` holds the caller's answer that identified them: the next answer is the one after it.
    return gatherTwiml(say, this.o.actionUrl(saved, this.nextTurn(row, 1)), this.o.voice);
  }

  /** What a verified caller hears when no payment may be asked for (or nothing is owed). */
  private noOffer(reason: ContactReason | undefined, account: AccountData): { say: (transfer: boolean) => string; transfer: boolean } {
    const hello = account.customerName ? `Thank you, ${account.customerName}.` : 'Thank you.';
    const creditor = account.creditorName;
    const person = (transfer: boolean) =>
      transfer
        ? "I'll put you through to a member of the team who can help you personally. Please hold."
        : `A member of the ${creditor} team will contact you personally, and you can get free, impartial debt advice from MoneyHelper. Goodbye.`;
    switch (reason?.code) {
      case undefined:
      case 'DEBT_NOT_OUTSTANDING':
        return { say: () => `${hello} There is nothing to pay on this invoice. Goodbye.`, transfer: false };
      case 'DEBT_DISPUTED':
        return {
          say: () =>
            `${hello} Your account is on hold while your dispute is looked into, so we won't ask you for any payment. ${creditor} will write to you with the outcome. Goodbye.`,
          transfer: false,
        };
      case 'BREATHING_SPACE_ACTIVE':
        return {
          say: () =>
            `${hello} Your account is in a breathing space, so we won't ask you for any payment while it lasts. If you have a question, your debt adviser or ${creditor} can help. Goodbye.`,
          transfer: false,
        };
      default:
        // Vulnerability, a capacity concern, a stop request on automated calls: a person, not the IVR.
        return { say: (transfer) => `${hello} ${person(transfer)}`, transfer: true };
    }
  }
}
