import { openDispute, type CollectionsDeps } from '@recoup/collections';
import { ComplianceService } from '@recoup/compliance';
import type { IvrTranscriptTurn } from '@recoup/contracts';
import type { IntentClassifier } from '@recoup/providers/intent';
import type { Logger } from '@recoup/observability';
import type { CollectionPolicy } from '../negotiation/policy';
import type { AgreedPlanRecorder } from './agreed-plan.recorder';
import type { CallEvents } from './call-events';
import { currentPrompt, decideTurn, greeting, planBase, type CallAction, type NegotiationState } from './conversation';
import {
  IvrCallRepository,
  accountOf,
  isFinal,
  negotiationOf,
  toView,
  transcriptOf,
  type IvrCall,
  type IvrCallUpdate,
} from './ivr-call.repository';
import { InboundCallRepository } from './inbound-call.repository';
import { InboundCalls } from './inbound-call.service';
import { dialTwiml, gatherTwiml, hangupTwiml, type VoiceOptions } from './twiml';

export interface IvrCallServiceOptions {
  repository: IvrCallRepository;
  classifier: IntentClassifier;
  events: CallEvents;
  logger: Logger;
  publicBaseUrl: string;
  voice: VoiceOptions;
  maxRetries: number;
  specialistNumber?: string;
  /** Turns a plan agreed on the call into a PaymentPlan and its written confirmation. */
  plans?: AgreedPlanRecorder;
  /** The collections core: a dispute raised on the call is opened there. */
  collections: CollectionsDeps;
  /** Decides (and audits) whether a debtor who calls us may hear the offer; default one on the core's database and clock. */
  compliance?: ComplianceService;
  /** The negotiation policy where a tenant has none (IVR_* settings); default the config's defaults. */
  defaultPolicy?: CollectionPolicy;
}

/** The IVR_* defaults of config.ts, for a service built without the configured policy. */
const DEFAULT_POLICY: CollectionPolicy = { minMonthlyPence: 1_000, maxMonths: 12, settlementDiscountPercent: null, defaultMonths: 6 };

/** What Twilio says about the call on /voice: a call placed to us is `Direction=inbound`, from the caller's number. */
export interface VoiceCallParams {
  direction?: string;
  from?: string;
  to?: string;
}

/** Twilio's CallStatus values that end a call; one still initiated or in progress then had no answer from the customer. */
const UNANSWERED: Record<string, 'no_response' | 'failed'> = {
  'no-answer': 'no_response',
  busy: 'no_response',
  canceled: 'no_response',
  failed: 'failed',
  completed: 'no_response',
};

/** The IVR call flow behind the Twilio webhooks: greet, classify each answer, negotiate, close. */
export class IvrCallService {
  private readonly inbound: InboundCalls;

  constructor(private readonly o: IvrCallServiceOptions) {
    const db = o.collections.db;
    this.inbound = new InboundCalls({
      db,
      repository: o.repository,
      inbound: new InboundCallRepository(db),
      compliance: o.compliance ?? new ComplianceService({ db, clock: o.collections.clock }),
      events: o.events,
      logger: o.logger,
      voice: o.voice,
      defaultPolicy: o.defaultPolicy ?? DEFAULT_POLICY,
      specialistNumber: o.specialistNumber,
      actionUrl: (row, turn) => this.actionUrl(row, turn),
      clock: o.collections.clock,
    });
  }

  async find(ivrCallId: string | undefined, callSid: string | undefined): Promise<IvrCall | null> {
    if (ivrCallId && /^[0-9a-f-]{36}$/i.test(ivrCallId)) {
      const row = await this.o.repository.findById(ivrCallId);
      if (row) return row;
    }
    return callSid ? this.o.repository.findByCallSid(callSid) : null;
  }

  private actionUrl(row: IvrCall, turn: number): string {
    return `${this.o.publicBaseUrl.replace(/\/+$/, '')}/process-response?ivr_call_id=${row.id}&turn=${turn}`;
  }

  private twiml(row: IvrCall, action: CallAction, turn: number): string {
    if (action.kind === 'gather') return gatherTwiml(action.say, this.actionUrl(row, turn), this.o.voice);
    if (action.kind === 'dial') return dialTwiml(action.say, action.number, this.o.voice);
    return hangupTwiml(action.say, this.o.voice);
  }

  private async save(row: IvrCall, update: IvrCallUpdate): Promise<IvrCall> {
    const saved = await this.o.repository.update(row.id, update);
    this.o.events.publish(saved.tenantId, { type: 'updated', call: toView(saved) });
    return saved;
  }

  /** GET|POST /voice: the greeting, spoken from the call's own account data; a call placed to us starts with who is calling. */
  async answer(ivrCallId: string | undefined, callSid: string | undefined, call: VoiceCallParams = {}): Promise<string> {
    const row = await this.find(ivrCallId, callSid);
    if (!row) {
      if (!ivrCallId && callSid && call.direction === 'inbound') return this.inbound.answer({ callSid, from: call.from, to: call.to });
      return hangupTwiml('Sorry, we could not find the reason for this call. Goodbye.', this.o.voice);
    }
    if (isFinal(row.status)) return hangupTwiml('Thank you. Goodbye.', this.o.voice);
    const stageNow = negotiationOf(row).stage;
    if (stageNow === 'identify' || stageNow === 'reference') return this.inbound.prompt(row);
    const transcript = transcriptOf(row);
    const customerTurns = transcript.filter((t) => t.speaker === 'customer').length;
    const say = transcript.length === 0 ? greeting(accountOf(row)) : currentPrompt(accountOf(row), negotiationOf(row));
    const turn: IvrTranscriptTurn = { speaker: 'agent', text: say, at: new Date().toISOString() };
    await this.save(row, {
      transcript: [...transcript, turn],
      replyText: say,
      status: row.status === 'initiated' ? 'in_progress' : undefined,
      ...(callSid && !row.callSid ? { callSid } : {}),
    });
    return gatherTwiml(say, this.actionUrl(row, customerTurns + 1), this.o.voice);
  }

  /** POST /process-response: one customer answer, classified, recorded, answered. */
  async respond(ivrCallId: string | undefined, callSid: string | undefined, speech: string, digits = ''): Promise<string> {
    const row = await this.find(ivrCallId, callSid);
    if (!row) return hangupTwiml('Sorry, we could not find the reason for this call. Goodbye.', this.o.voice);
    const before = negotiationOf(row);
    const stage = before.stage;
    if (isFinal(row.status) || stage === 'closed') return hangupTwiml('Thank you. Goodbye.', this.o.voice);
    // A caller not yet identified: nothing reaches the classifier or the negotiation until they are.
    if (stage === 'identify' || stage === 'reference') return this.inbound.respond(row, { speech, digits });
    const account = accountOf(row);
    const transcript = transcriptOf(row);
    const classification = await this.o.classifier.classify(speech, {
      stage,
      prompt: row.replyText ?? '',
      currency: account.currency,
      monthlyPence: before.plan.monthlyPence,
      months: before.plan.months,
      balancePence: planBase(account),
    });
    const outcome = decideTurn({
      utterance: speech,
      classification,
      account,
      state: before,
      retryCount: row.retryCount,
      maxRetries: this.o.maxRetries,
      specialistNumber: this.o.specialistNumber,
    });
    const now = new Date().toISOString();
    const customerTurn: IvrTranscriptTurn = {
      speaker: 'customer',
      text: speech,
      at: now,
      intent: classification.intent,
      confidence: classification.confidence,
      classifier: classification.classifier,
      ...(classification.fallbackReason && { note: classification.fallbackReason }),
    };
    const agentTurn: IvrTranscriptTurn = { speaker: 'agent', text: outcome.action.say, at: now };
    const state = outcome.disputed ? await this.recordDispute(row, outcome.state, speech) : outcome.state;
    this.o.logger.info(
      {
        callSid: row.callSid,
        intent: classification.intent,
        confidence: classification.confidence,
        classifier: classification.classifier,
        fallback: classification.fallbackReason,
        status: outcome.status,
      },
      'ivr turn',
    );
    const saved = await this.save(row, {
      transcript: [...transcript, customerTurn, agentTurn],
      intent: outcome.intent,
      confidence: classification.confidence,
      classifier: classification.classifier,
      status: outcome.status,
      replyText: outcome.action.say,
      retryCount: outcome.retryCount,
      negotiation: state,
      paymentPlan: outcome.agreedPlan ?? state.plan,
      ...(outcome.confirmationResponse !== undefined && { confirmationResponse: outcome.confirmationResponse }),
      ...(outcome.agreedPlan && { agreedPlan: outcome.agreedPlan }),
    });
    if (outcome.agreedPlan && this.o.plans) {
      // The customer has agreed: a failure here must not cost them the confirmation they just heard.
      try {
        const planId = await this.o.plans.record(saved, outcome.agreedPlan);
        if (planId) await this.o.repository.update(saved.id, { negotiation: { ...outcome.state, paymentPlanId: planId } });
      } catch (err) {
        this.o.logger.error({ callSid: row.callSid, err: { message: (err as Error).message } }, 'agreed plan not recorded');
      }
    }
    const customerTurns = transcript.filter((t) => t.speaker === 'customer').length + 1;
    return this.twiml(row, outcome.action, customerTurns + 1);
  }

  /**
   * CONC 7.14: a debt disputed on the call is not pursued. The core opens the dispute (random DSP- reference), marks
   * the invoice disputed and cancels its queued contacts in one transaction; the reference is kept on the call.
   */
  private async recordDispute(row: IvrCall, state: NegotiationState, speech: string): Promise<NegotiationState> {
    if (!row.invoiceId) return state;
    try {
      const { dispute } = await openDispute(this.o.collections, {
        tenantId: row.tenantId,
        invoiceId: row.invoiceId,
        source: 'ivr',
        reason: speech.slice(0, 500),
        actor: 'ivr',
      });
      return { ...state, disputeReference: dispute.reference };
    } catch (err) {
      this.o.logger.error({ callSid: row.callSid, err: { message: (err as Error).message } }, 'dispute raised on the call not recorded');
      return state;
    }
  }

  /** Twilio status callback: a call that was never answered is recorded as such. */
  async status(ivrCallId: string | undefined, callSid: string | undefined, callStatus: string): Promise<IvrCall | null> {
    const row = await this.find(ivrCallId, callSid);
    if (!row) return null;
    const unanswered = UNANSWERED[callStatus];
    if (unanswered && (row.status === 'initiated' || row.status === 'in_progress')) {
      return this.save(row, {
        status: unanswered,
        intent: unanswered === 'no_response' ? 'no_response' : row.intent,
        ...(callSid && !row.callSid ? { callSid } : {}),
      });
    }
    if (callSid && !row.callSid) return this.save(row, { callSid });
    return row;
  }
}
