import { openDispute, type CollectionsDeps } from '@recoup/collections';
import { ComplianceService } from '@recoup/compliance';
import type { IvrTranscriptTurn } from '@recoup/contracts';
import type { IntentClassifier } from '@recoup/providers/intent';
import type { Logger } from '@recoup/observability';
import type { CollectionPolicy } from '../negotiation/policy';
import type { AgreedPlanRecorder } from './agreed-plan.recorder';
import type { CallEvents } from './call-events';
import { currentPrompt, decideTurn, inboundOffer, planBase, type CallAction, type NegotiationState } from './conversation';
import {
  RECORDING_OBJECTION,
  VULNERABLE_CLOSING,
  callBackRequest,
  identityFactsOf,
  judgeIdentityAnswer,
  recordIvrVulnerability,
  verifyGreeting,
  voicemailMessage,
  vulnerabilityCue,
} from './outbound-safeguards';
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
import { dialTwiml, gatherTwiml, hangupTwiml, keypadGatherTwiml, type VoiceOptions } from './twiml';

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
  /** Live recording control (the telephony port): started after the notice, stopped when the debtor objects. */
  recorder?: {
    start(callSid: string, ivrCallId: string): Promise<string>;
    stop(callSid: string, recordingSid: string): Promise<void>;
  };
  /** Our number, read out in call-back requests. */
  callbackNumber?: string;
  /** Replaces a live call's TwiML (the message left on an answering machine). */
  redirect?(callSid: string, twiml: string): Promise<void>;
  hangup?(callSid: string): Promise<void>;
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
    // Outbound: the notice, the named person and the identity question first; the balance only after our check.
    if (transcript.length === 0 || stageNow === 'verify') {
      const facts = await identityFactsOf(this.o.collections, row);
      if (facts && !row.identityVerifiedAt) {
        const say = verifyGreeting(accountOf(row), facts.method);
        await this.save(row, {
          transcript: [...transcript, { speaker: 'agent', text: say, at: new Date().toISOString() }],
          replyText: say,
          negotiation: { ...negotiationOf(row), stage: 'verify' },
          status: row.status === 'initiated' ? 'in_progress' : undefined,
          ...(callSid && !row.callSid ? { callSid } : {}),
        });
        return keypadGatherTwiml(say, this.actionUrl(row, customerTurns + 1), this.o.voice);
      }
    }
    const say = transcript.length === 0 ? inboundOffer(accountOf(row)) : currentPrompt(accountOf(row), negotiationOf(row));
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
    // The notice has been heard (this is an answer to what followed it): the recording may start.
    await this.startRecording(row);
    if (RECORDING_OBJECTION.test(speech)) await this.stopRecording(row);
    const cue = vulnerabilityCue(speech);
    if (cue) return this.vulnerable(row, speech, cue);
    if (stage === 'verify') return this.verify(row, speech, digits);
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
      specialistNumber: (await this.transferNumberOf(row)) ?? undefined,
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

  /** The tenant's own transfer number (tenants.transfer_phone), else the operator's IVR_SPECIALIST_NUMBER. */
  private async transferNumberOf(row: IvrCall): Promise<string | null> {
    const tenant = await this.o.collections.db.tenant.findUnique({ where: { id: row.tenantId }, select: { transferPhone: true } });
    return tenant?.transferPhone ?? this.o.specialistNumber ?? null;
  }

  private async startRecording(row: IvrCall): Promise<void> {
    if (!this.o.recorder || !row.callSid || row.recordingSid) return;
    try {
      const recordingSid = await this.o.recorder.start(row.callSid, row.id);
      await this.o.repository.update(row.id, { recordingSid });
      row.recordingSid = recordingSid;
    } catch (err) {
      this.o.logger.warn({ callSid: row.callSid, err: { message: (err as Error).message } }, 'ivr recording not started');
    }
  }

  /** The debtor objects to the recording (UK GDPR Art. 21): it is stopped through the provider's Recordings API. */
  private async stopRecording(row: IvrCall): Promise<void> {
    if (!this.o.recorder || !row.callSid || !row.recordingSid) return;
    await this.o.recorder
      .stop(row.callSid, row.recordingSid)
      .catch((err: Error) => this.o.logger.warn({ callSid: row.callSid, err: { message: err.message } }, 'ivr recording not stopped'));
  }

  /** The answer to the identity question, checked by our code; the offer (with the balance) only once it matched. */
  private async verify(row: IvrCall, speech: string, digits: string): Promise<string> {
    const state = negotiationOf(row);
    const account = accountOf(row);
    const facts = await identityFactsOf(this.o.collections, row);
    const attempt = (state.verifyAttempts ?? 0) + 1;
    const verdict = facts ? judgeIdentityAnswer(facts, { speech, digits }, attempt) : 'failed';
    const now = new Date();
    // The identity answer itself is never stored.
    const customerTurn: IvrTranscriptTurn = {
      speaker: 'customer',
      text: verdict === 'wrong_person' ? speech : '[identity answer withheld]',
      at: now.toISOString(),
    };
    const transcript = [...transcriptOf(row), customerTurn];
    const customerTurns = transcript.filter((t) => t.speaker === 'customer').length;
    if (verdict === 'verified') {
      const say = inboundOffer(account);
      await this.save(row, {
        transcript: [...transcript, { speaker: 'agent', text: say, at: now.toISOString() }],
        replyText: say,
        identityVerifiedAt: now,
        negotiation: { ...state, stage: 'offer', verifyAttempts: attempt },
      });
      return gatherTwiml(say, this.actionUrl(row, customerTurns + 1), this.o.voice);
    }
    if (verdict === 'retry' && facts) {
      const say = `Sorry, that does not match our records. ${verifyGreeting({ ...account, customerName: null }, facts.method)
        .split('. ')
        .slice(-2)
        .join('. ')}`;
      await this.save(row, {
        transcript: [...transcript, { speaker: 'agent', text: say, at: now.toISOString() }],
        replyText: say,
        negotiation: { ...state, verifyAttempts: attempt },
      });
      return keypadGatherTwiml(say, this.actionUrl(row, customerTurns + 1), this.o.voice);
    }
    const say = callBackRequest(account, this.o.callbackNumber);
    await this.save(row, {
      transcript: [...transcript, { speaker: 'agent', text: say, at: now.toISOString() }],
      replyText: say,
      status: 'completed',
      negotiation: { ...state, stage: 'closed', verifyAttempts: attempt },
    });
    return hangupTwiml(say, this.o.voice);
  }

  /** Signs of vulnerability: collection pauses through the core, the debtor is signposted and flagged for a person. */
  private async vulnerable(row: IvrCall, speech: string, cue: NonNullable<ReturnType<typeof vulnerabilityCue>>): Promise<string> {
    try {
      await recordIvrVulnerability(this.o.collections, row, cue);
    } catch (err) {
      this.o.logger.error({ callSid: row.callSid, err: { message: (err as Error).message } }, 'vulnerability not recorded');
    }
    const now = new Date().toISOString();
    await this.save(row, {
      transcript: [
        ...transcriptOf(row),
        { speaker: 'customer', text: speech, at: now, intent: 'vulnerable' },
        { speaker: 'agent', text: VULNERABLE_CLOSING, at: now },
      ],
      intent: 'vulnerable',
      status: 'completed',
      replyText: VULNERABLE_CLOSING,
      sensitive: true,
      negotiation: { ...negotiationOf(row), stage: 'closed', vulnerable: true },
    });
    return hangupTwiml(VULNERABLE_CLOSING, this.o.voice);
  }

  /**
   * Twilio's AMD verdict (DetectMessageEnd): a machine, after its beep, gets a call-back request with no debt detail
   * (CONC 7.9.8G) and the call ends; `unknown` is treated as a person.
   */
  async machineDetection(ivrCallId: string | undefined, callSid: string | undefined, answeredBy: string): Promise<void> {
    const row = await this.find(ivrCallId, callSid);
    if (!row) return;
    const machine = answeredBy.startsWith('machine') || answeredBy === 'fax';
    if (!machine) {
      await this.o.repository.update(row.id, { answeredBy });
      return;
    }
    const say = voicemailMessage(accountOf(row), this.o.callbackNumber);
    await this.save(row, {
      answeredBy,
      status: 'no_response',
      intent: 'no_response',
      transcript: [...transcriptOf(row), { speaker: 'agent', text: say, at: new Date().toISOString() }],
      negotiation: { ...negotiationOf(row), stage: 'closed' },
    });
    const sid = callSid ?? row.callSid;
    if (!sid) return;
    if (this.o.redirect) await this.o.redirect(sid, hangupTwiml(say, this.o.voice));
    else await this.o.hangup?.(sid);
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
