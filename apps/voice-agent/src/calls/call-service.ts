import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  claimContactForSend,
  CollectionsError,
  identityMethodFor,
  identityQuestion,
  isoDate,
  londonToday,
  recordContactOutcome,
  recordQueuedContact,
} from '@recoup/collections';
import { ComplianceFactsRepository, lookBackDays, type ComplianceService } from '@recoup/compliance';
import type { CallCostEstimate, CallOutcome, CallStatusResponse, InitiateCallRequest } from '@recoup/contracts';
import type { CallModel, Database } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { CallPlacer } from '@recoup/providers/telephony';
import { resolveLimits, type RateLimiter, type Tier } from '@recoup/rate-limit';
import type { RealtimeUsage } from '@recoup/providers/realtime-voice';
import { agentInstructions, disclosureBriefing, openingLine, recordingNotice, type CallFacts } from './agent-instructions';
import { quoteOf } from './balance';
import type { LiveCallControl } from './live-call-control';
import { callCost, costPence, estimateCost, type Prices } from './pricing';

export interface CallServiceOptions {
  db: Database;
  compliance: ComplianceService;
  rateLimiter: RateLimiter;
  placer: CallPlacer;
  logger: Logger;
  prices: Prices;
  publicBaseUrl: string;
  payPageBaseUrl: string;
  maxCallSeconds: number;
  recording: boolean;
  machineDetection: boolean;
  /** realtime: <Connect><Stream> to the Realtime bridge; gather: <Gather> speech turns with a chat model. */
  flow: 'realtime' | 'gather';
  /** Called once per call when its final status arrives (metrics). */
  onCallEnded?: (outcome: CallOutcome, costPence: number) => void;
  /** Our caller id, read out in voicemail messages. */
  callbackNumber?: string;
  /** Recording control of live calls (started after the notice). */
  live?: LiveCallControl;
  /** Stores a transcript turn (the recording notice is the call's first). */
  saveTurn?(callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null): Promise<void>;
  clock?: () => Date;
}

/** What the Call row keeps of the request (the agent's facts) and of our own bookkeeping. */
export interface StoredCallParams extends Partial<InitiateCallRequest> {
  reservation_id?: string;
  instructions?: string;
  /** Said by TwiML before the stream connects (or the Gather greeting): recording notice, then identity. */
  recording_notice?: string;
  opening?: string;
  /** What our code checks the identity answer against (postcode, date of birth, invoice reference). */
  identity_method?: string;
  /** What the agent is told once identity is confirmed (verify_identity's answer): the disclosure and the facts. */
  after_identity?: string;
  voicemail?: string;
  sms_sent?: number;
  settled?: boolean;
  /** The bridge finalised the call (its legs closed, every tool call recorded). */
  bridge_closed?: boolean;
}

const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const DAY = 86_400_000;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class CallRefused extends HttpProblem {
  constructor(status: number, code: string, detail: string, reasons: Array<{ code: string; message: string }>, nextAllowedAt: Date | null) {
    super(status, status === 429 ? 'Too Many Requests' : 'Unprocessable Content', detail, {
      type: `https://recoup.dev/problems/call-refused/${code.toLowerCase()}`,
      reason_code: code,
      reasons,
      next_allowed_at: nextAllowedAt ? nextAllowedAt.toISOString() : null,
      ...(nextAllowedAt && status === 429
        ? { headers: { 'Retry-After': String(Math.max(1, Math.ceil((nextAllowedAt.getTime() - Date.now()) / 1000))) } }
        : {}),
    });
  }
}

/** Placing AI calls (HTTP and the ai-calls queue take the same path), their status, and finalising them. */
export class CallService {
  constructor(private readonly o: CallServiceOptions) {}

  private now(): Date {
    return this.o.clock?.() ?? new Date();
  }

  estimate(minutes: number, sms: boolean, recording: boolean): CallCostEstimate {
    return estimateCost(this.o.prices, minutes, sms ? 1 : 0, recording);
  }

  /**
   * The SMS a call may send under the tools' policy: a promise's confirmation, and the payment link when payment
   * during the call is enabled (the promise script sends both).
   */
  static smsThePolicyMaySend(paymentDuringCall: boolean): number {
    return paymentDuringCall ? 2 : 1;
  }

  private url(path: string): string {
    return this.o.publicBaseUrl.replace(/\/+$/, '') + path;
  }

  /**
   * Compliance engine (hours, cooldown, minimum balance, days overdue, UK number, stops, disputes...),
   * then the tier's daily AI-call count and spend cap (reserve now, settle on the final status), then dial.
   */
  async initiate(
    body: InitiateCallRequest,
    actor: string,
    jobId?: string,
  ): Promise<{ callSid: string; callId: string; estimate: CallCostEstimate }> {
    const { db } = this.o;
    const invoice = await db.invoice.findFirst({
      where: { id: body.invoice_id, tenantId: body.freelancer_id },
      include: { client: true, tenant: true },
    });
    if (!invoice)
      throw HttpProblem.badRequest('No such invoice for this account', [
        { field: 'body.invoice_id', pointer: '/invoice_id', detail: 'not found for freelancer_id' },
      ]);
    const now = this.now();
    // The queued attempt of this very job must not count against itself (24 h cooldown).
    const own = jobId ? await db.contactAttempt.findUnique({ where: { jobId } }) : null;
    const repository = new ComplianceFactsRepository(db);
    const overrides = await repository.tenantOverrides(invoice.tenantId);
    const facts = await repository.load({
      tenantId: invoice.tenantId,
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      since: new Date(now.getTime() - lookBackDays(overrides) * DAY),
      excludeContactAttemptId: own?.id,
    });
    // The number dialled is the one in the request: that is the number the engine must judge.
    const decision = await this.o.compliance.evaluateFacts(
      {
        channel: 'ai_call',
        purpose: 'reminder',
        debtor: { ...facts.debtor, phone: body.recipient_phone },
        debt: facts.debt,
        history: facts.history,
        now,
        profile: facts.client.jurisdiction,
        config: overrides,
      },
      { tenantId: invoice.tenantId, clientId: invoice.clientId, invoiceId: invoice.id, actor },
    );
    if (!decision.allowed) {
      const denies = decision.reasons.filter((r) => r.severity === 'deny');
      const first = denies[0];
      throw new CallRefused(
        422,
        first?.code ?? 'REFUSED',
        first?.message ?? 'The compliance engine refused this call',
        denies.map((r) => ({ code: r.code, message: r.message })),
        decision.nextAllowedAt,
      );
    }
    const minutes = this.o.maxCallSeconds / 60;
    const estimate = estimateCost(
      this.o.prices,
      minutes,
      CallService.smsThePolicyMaySend(body.enable_payment_during_call),
      this.o.recording,
    );
    const reservationId = randomUUID();
    const limits = {
      tenantId: invoice.tenantId,
      limits: resolveLimits(invoice.tenant.tier as Tier, invoice.tenant.limitOverrides ?? undefined),
    };
    const rate = await this.o.rateLimiter.reserve(limits, 'ai_call', { estimatedCostPence: costPence(estimate), reservationId });
    if (!rate.allowed) {
      const w = rate.denied;
      const detail = w
        ? `The ${w.window} ${w.counter} limit of the ${invoice.tenant.tier} plan is reached (${w.used}/${w.limit}).`
        : 'The plan limit is reached.';
      throw new CallRefused(429, 'TIER_LIMIT_REACHED', detail, [{ code: 'TIER_LIMIT_REACHED', message: detail }], w ? w.resetAt : null);
    }
    const facts2: CallFacts = {
      debtorName: body.recipient_name,
      debtorKind: invoice.client.kind,
      creditorName: body.business_name,
      creditorEmail: invoice.tenant.email ?? 'accounts@example.com',
      creditorPhone: '0300 000 0000',
      invoiceReference: body.invoice_reference,
      amountPence: invoice.amountPence,
      paidPence: invoice.paidPence,
      balance: await quoteOf(db, invoice, now),
      issueDate: invoice.issueDate.toISOString().slice(0, 10),
      dueDate: invoice.dueDate.toISOString().slice(0, 10),
      daysPastDue: body.days_past_due,
      today: isoDate(londonToday(now)),
      payLink:
        this.o.payPageBaseUrl.startsWith('https://') && this.o.payPageBaseUrl.length <= 40
          ? `${this.o.payPageBaseUrl.replace(/\/+$/, '')}/pay`
          : 'https://pay.recoup.invalid/pay',
      paymentDuringCall: body.enable_payment_during_call,
    };
    // Identity before disclosure (CONC 7.9.7R): the tenant's check, or the invoice reference when the record lacks it.
    const identityMethod = identityMethodFor(invoice.tenant.identityCheck, {
      postcode: invoice.client.postcode,
      address: invoice.client.address,
      dateOfBirth: invoice.client.dateOfBirth,
      invoiceReference: invoice.reference,
    });
    const opening = {
      debtorName: body.recipient_name,
      creditorName: body.business_name,
      identityQuestion: identityQuestion(identityMethod),
      paymentDuringCall: body.enable_payment_during_call,
    };
    const params: StoredCallParams = {
      ...body,
      reservation_id: reservationId,
      instructions: agentInstructions(opening),
      recording_notice: this.o.recording ? recordingNotice(facts2) : undefined,
      opening: openingLine(opening),
      identity_method: identityMethod,
      after_identity: disclosureBriefing(facts2),
      voicemail: `This is a message for ${body.recipient_name} from ${body.business_name}. Please call us back on ${this.o.callbackNumber ? this.o.callbackNumber.split('').join(' ') : 'the number this call came from'}. Thank you.`,
    };
    const attempt = await recordQueuedContact(db, {
      tenantId: invoice.tenantId,
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      channel: 'ai_call',
      purpose: 'reminder',
      templateId: 'voice',
      jobId: jobId ?? `ai-call-${reservationId}`,
      scheduledFor: now,
    });
    // Claimed before dialling: a cancellation (payment, dispute) that lands first stops the call; one that lands
    // later finds the attempt `sending` and leaves it, so the record always says the debtor was called.
    if (!(await claimContactForSend(db, attempt.id))) {
      await this.o.rateLimiter.settle(invoice.tenantId, reservationId, 0).catch(() => undefined);
      throw CollectionsError.conflict('The call was cancelled before it was placed');
    }
    const call = await db.call.create({
      data: {
        tenantId: invoice.tenantId,
        clientId: invoice.clientId,
        invoiceId: invoice.id,
        contactAttemptId: attempt.id,
        kind: 'ai',
        status: 'initiated',
        params: params as object,
        // Special-category data (UK GDPR Art. 9): a call to a debtor flagged vulnerable or with a capacity concern may
        // hear about health; its transcript needs the explicit transcripts:sensitive scope to read.
        sensitive: invoice.client.vulnerable || invoice.client.mentalCapacityConcern,
      },
    });
    try {
      const q = `?call=${call.id}`;
      const placed = await this.o.placer.placeCall({
        to: body.recipient_phone,
        answerUrl: this.url(this.o.flow === 'gather' ? `/api/webhooks/twilio/ai-collect${q}` : `/api/webhooks/twilio/voice/answer${q}`),
        statusCallbackUrl: this.url(`/api/webhooks/twilio/voice/status${q}`),
        machineDetection: this.o.machineDetection
          ? { mode: 'async', callbackUrl: this.url(`/api/webhooks/twilio/voice/amd${q}`) }
          : undefined,
        // Recording starts once the notice was spoken (LiveCallControl.startRecording), not at the answer.
        record: false,
        timeLimitSeconds: this.o.maxCallSeconds,
        idempotencyKey: attempt.id,
      });
      await db.call.update({ where: { id: call.id }, data: { providerCallSid: placed.callSid } });
      const sent = { sentAt: now, provider: placed.provider, providerMessageId: placed.callSid };
      if (!(await recordContactOutcome(db, attempt.id, { status: 'sent', ...sent }, ['sending']))) {
        // Twilio's final status was faster than us: keep its outcome, add who placed the call.
        const { status } = await db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id }, select: { status: true } });
        await recordContactOutcome(db, attempt.id, { status, ...sent }, [status]);
      }
      return { callSid: placed.callSid, callId: call.id, estimate };
    } catch (err) {
      await db.call.update({ where: { id: call.id }, data: { status: 'failed', outcome: 'failed', endedAt: this.now() } });
      await recordContactOutcome(
        db,
        attempt.id,
        { status: 'failed', failureReason: (err as Error).message.slice(0, 300), completedAt: this.now() },
        ['sending'],
      );
      await this.o.rateLimiter.settle(invoice.tenantId, reservationId, 0).catch(() => undefined);
      throw err;
    }
  }

  async findById(callId: string): Promise<CallModel | null> {
    return this.o.db.call.findUnique({ where: { id: callId } });
  }

  async findBySid(callSid: string): Promise<CallModel | null> {
    return this.o.db.call.findUnique({ where: { providerCallSid: callSid } });
  }

  /**
   * A sensitive call's transcript is withheld (empty, `transcriptWithheld`) unless the caller asked for the
   * transcripts:sensitive scope.
   */
  async status(
    callSid: string,
    scope: { sensitiveTranscripts?: boolean } = {},
  ): Promise<CallStatusResponse & { transcriptWithheld: boolean }> {
    const call = await this.o.db.call.findUnique({
      where: { providerCallSid: callSid },
      include: { turns: { orderBy: { sequence: 'asc' } } },
    });
    if (!call || call.kind !== 'ai') throw HttpProblem.notFound(`No AI call ${callSid}`);
    const withheld = call.sensitive && !scope.sensitiveTranscripts;
    return {
      call_sid: callSid,
      status: call.status,
      duration: call.durationSeconds,
      transcript: withheld ? '' : call.turns.map((t) => `[${t.speaker === 'ai' ? 'AI' : 'USER'}]: ${t.text}`).join('\n'),
      outcome: (call.outcome as CallOutcome | null) ?? null,
      payment_collected: call.paymentCollected,
      cost: call.costPence / 100,
      transcriptWithheld: withheld,
    };
  }

  /** The voicemail message (name, business, call-back number; never the debt: CONC 7.9.8G). */
  async voicemailMessage(callId: string): Promise<string | null> {
    const call = await this.findById(callId);
    return ((call?.params ?? null) as StoredCallParams | null)?.voicemail ?? null;
  }

  /** A fresh single-use token for the media stream of this call; only its hash is stored. */
  async issueStreamToken(callId: string): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.o.db.call.update({ where: { id: callId }, data: { streamTokenHash: sha256(token) } });
    return token;
  }

  /** Checks (and burns) a stream token: a replayed or forged start message gets nothing. */
  async claimStream(callId: string, token: string): Promise<CallModel | null> {
    const call = await this.o.db.call.findUnique({ where: { id: callId } }).catch(() => null);
    if (!call?.streamTokenHash || !token) return null;
    const a = Buffer.from(call.streamTokenHash, 'hex');
    const b = Buffer.from(sha256(token), 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const { count } = await this.o.db.call.updateMany({
      where: { id: callId, streamTokenHash: call.streamTokenHash },
      data: { streamTokenHash: null, status: 'in-progress', startedAt: call.startedAt ?? this.now() },
    });
    if (count !== 1) return null;
    // The notice has been spoken (the stream opens after its <Say>): now the recording may start.
    this.startRecording(callId);
    return call;
  }

  /** Starts the call's recording (after the notice), off the caller's path; a failure is logged, the call goes on. */
  startRecording(callId: string): void {
    void this.o.live
      ?.startRecording(callId)
      .catch((err: Error) => this.o.logger.warn({ err: { message: err.message }, callId }, 'recording not started'));
  }

  /** A transfer nobody answered: the call was not put through (its call-back is recorded by the caller). */
  async transferFailed(callId: string): Promise<void> {
    await this.o.db.call.update({ where: { id: callId }, data: { transferredAt: null } });
  }

  /** The recording notice is the call's first turn: stored when it is spoken. */
  async noticeSpoken(callId: string, notice: string): Promise<void> {
    await this.o.saveTurn?.(callId, 'ai', notice, `notice:${callId}`);
  }

  /** Twilio call-progress callback. */
  async onStatus(callId: string, p: Record<string, string>): Promise<void> {
    const { db } = this.o;
    const call = await db.call.findUnique({ where: { id: callId } });
    if (!call) return;
    const status = p.CallStatus ?? call.status;
    const data: Record<string, unknown> = {};
    if (!call.providerCallSid && p.CallSid) data.providerCallSid = p.CallSid;
    if (p.RecordingSid) data.recordingSid = p.RecordingSid;
    if (p.RecordingUrl) data.recordingUrl = p.RecordingUrl;
    // A late "ringing" must not overwrite "completed".
    if (!TERMINAL.has(call.status)) data.status = status;
    if (status === 'in-progress' && !call.startedAt) data.startedAt = this.now();
    if (p.CallDuration && /^\d+$/.test(p.CallDuration)) data.durationSeconds = Number(p.CallDuration);
    if (Object.keys(data).length) await db.call.update({ where: { id: callId }, data });
    if (TERMINAL.has(status)) await this.finalise(callId, { terminalStatus: status });
  }

  async onMachineDetection(callId: string, answeredBy: string): Promise<'machine' | 'human'> {
    const machine = answeredBy.startsWith('machine') || answeredBy === 'fax';
    await this.o.db.call.update({ where: { id: callId }, data: { answeredBy, ...(machine ? { outcome: 'voicemail' } : {}) } });
    return machine ? 'machine' : 'human';
  }

  /** A payment link texted during the call was paid before the call ended (+2 min for the webhook to land). */
  private async linkPaidDuringCall(actions: Array<{ name: string; allowed: boolean; result: unknown }>, endedAt: Date): Promise<boolean> {
    const ids = actions
      .filter((a) => a.name === 'send_payment_link' && a.allowed)
      .map((a) => (a.result as { data?: { payment_link_id?: string } } | null)?.data?.payment_link_id)
      .filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return false;
    const paid = await this.o.db.paymentLink.findFirst({
      where: { id: { in: ids }, status: 'paid', paidAt: { lte: new Date(endedAt.getTime() + 120_000) } },
    });
    return Boolean(paid);
  }

  /**
   * Outcome from what the tools did (never guessed from words), transcript, duration and cost.
   * Runs when either leg ends and again on the final status callback; settles the spend reservation once.
   */
  async finalise(
    callId: string,
    hint: { terminalStatus?: string; endedBy?: string; usage?: RealtimeUsage } = {},
  ): Promise<CallModel | null> {
    // One pass at a time per call: the final status callback's pass must not overlap the bridge's (which runs once the
    // last tool call is recorded) and write an outcome read before that tool's effect.
    const previous = this.finalising.get(callId) ?? Promise.resolve();
    const pass = previous.catch(() => undefined).then(() => this.finaliseOnce(callId, hint));
    this.finalising.set(callId, pass);
    try {
      return await pass;
    } finally {
      if (this.finalising.get(callId) === pass) this.finalising.delete(callId);
    }
  }

  private readonly finalising = new Map<string, Promise<CallModel | null>>();

  private async finaliseOnce(
    callId: string,
    hint: { terminalStatus?: string; endedBy?: string; usage?: RealtimeUsage },
  ): Promise<CallModel | null> {
    const { db } = this.o;
    const call = await db.call.findUnique({ where: { id: callId }, include: { actions: true, turns: { orderBy: { sequence: 'asc' } } } });
    if (!call) return null;
    const now = this.now();
    const endedAt = call.endedAt ?? now;
    const duration =
      call.durationSeconds ?? (call.startedAt ? Math.max(0, Math.round((endedAt.getTime() - call.startedAt.getTime()) / 1000)) : 0);
    const done = (n: string) => call.actions.some((a) => a.name === n && a.allowed);
    const paid = call.paymentCollected || (await this.linkPaidDuringCall(call.actions, endedAt));
    let outcome: CallOutcome;
    const status = hint.terminalStatus ?? call.status;
    // Put through to a person (a <Dial> nobody answered clears transferredAt and leaves a call-back request).
    const transferred = Boolean(call.transferredAt);
    if (paid) outcome = 'paid_during_call';
    else if (done('record_dispute')) outcome = 'disputed';
    else if (done('record_vulnerability')) outcome = 'vulnerable';
    else if (done('opt_out')) outcome = 'opted_out';
    else if (transferred) outcome = 'transferred';
    else if (done('propose_payment_plan')) outcome = 'payment_plan_agreed';
    else if (done('record_promise_to_pay')) outcome = 'payment_promised';
    else if (done('request_callback') || done('transfer_to_agent')) outcome = 'callback_requested';
    else if (call.outcome === 'voicemail' || call.answeredBy?.startsWith('machine')) outcome = 'voicemail';
    else if (status === 'no-answer' || status === 'busy' || status === 'canceled') outcome = 'no_answer';
    else if (status === 'failed') outcome = 'failed';
    else if (call.startedAt || call.turns.length > 0) outcome = 'refused';
    else outcome = 'no_answer';
    const params = (call.params ?? {}) as StoredCallParams;
    const smsSent = call.actions.filter(
      (a) =>
        a.allowed &&
        (a.name === 'send_payment_link' ||
          (a.name === 'record_promise_to_pay' && (a.result as { data?: { confirmation_sms?: boolean } } | null)?.data?.confirmation_sms)),
    ).length;
    // The Realtime usage the bridge summed from response.done (kept from an earlier pass when this one has none).
    const usage = hint.usage && hint.usage.responses > 0 ? hint.usage : ((call.realtimeUsage as RealtimeUsage | null) ?? undefined);
    const cost = callCost(this.o.prices, { minutes: duration / 60, smsCount: smsSent, recorded: Boolean(call.recordingSid), usage });
    const pence = costPence(cost);
    const terminal = Boolean(hint.terminalStatus);
    await db.call.update({
      where: { id: callId },
      data: {
        outcome,
        paymentCollected: paid,
        endedAt,
        durationSeconds: duration,
        costPence: pence,
        ...(usage ? { realtimeUsage: usage as object } : {}),
        ...(terminal ? { status: hint.terminalStatus } : call.status === 'in-progress' ? { status: 'completed' } : {}),
      },
    });
    // What the call said (transcript, the params with the debtor's name and number) is written back only while the
    // debtor is not erased: one statement, so an erasure that committed after our read is never undone (Art. 17).
    await db.call.updateMany({
      where: { id: callId, client: { erasedAt: null } },
      data: {
        transcript: call.turns.map((t) => ({ speaker: t.speaker, text: t.text })),
        ...((terminal && params.reservation_id) || hint.endedBy === 'bridge'
          ? {
              params: {
                ...params,
                ...(terminal && params.reservation_id ? { settled: true } : {}),
                // The bridge's pass runs once its legs are closed and every tool call is recorded: the outcome is final.
                ...(hint.endedBy === 'bridge' ? { bridge_closed: true } : {}),
              } as object,
            }
          : {}),
      },
    });
    if (call.contactAttemptId) {
      const attemptStatus =
        outcome === 'voicemail' ? 'machine' : outcome === 'no_answer' ? 'no_answer' : outcome === 'failed' ? 'failed' : 'completed';
      await recordContactOutcome(db, call.contactAttemptId, { status: attemptStatus, completedAt: now, costPence: pence });
    }
    if (terminal && !params.settled) this.o.onCallEnded?.(outcome, pence);
    if (terminal && params.reservation_id && !params.settled) {
      await this.o.rateLimiter
        .settle(call.tenantId, params.reservation_id, pence)
        .catch((err: Error) => this.o.logger.warn({ err: { message: err.message }, callId }, 'could not settle the call reservation'));
    }
    return db.call.findUnique({ where: { id: callId } });
  }
}
