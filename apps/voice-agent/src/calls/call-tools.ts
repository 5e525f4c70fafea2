import { z } from 'zod';
import {
  agreePaymentPlan,
  dateOnly,
  isCollectable,
  isCollectionsError,
  isoDate,
  londonToday,
  openDispute,
  recordCallbackRequest,
  recordPromiseToPay,
  recordQueuedContact,
  stopContactChannels,
  type CollectionsDeps,
} from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { CallModel, Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import type { ToolSpec } from '@recoup/providers/realtime-voice';
import type { JobProducer } from '@recoup/queue';
import { formatPence } from '@recoup/templates';
import { quoteOf } from './balance';
import { installmentSchedule } from './installment-schedule';
import type { LiveCallControl } from './live-call-control';
import {
  IDENTITY_REQUIRED,
  SafeguardArgs,
  recordVulnerabilityTool,
  stopRecording,
  transferToAgent,
  verifyIdentity,
  wrongPerson,
  type SafeguardDeps,
} from './safeguard-tools';

const IsoDate = z.iso.date();

const ToolArgs = {
  send_payment_link: z.object({}).passthrough(),
  record_promise_to_pay: z.object({ amount: z.number().positive().optional(), date: IsoDate }),
  propose_payment_plan: z.object({
    installments: z.number().int().min(2).max(24),
    frequency: z.enum(['weekly', 'monthly']).default('monthly'),
    first_payment_date: IsoDate.optional(),
  }),
  record_dispute: z.object({ reason: z.string().max(500).default('') }),
  request_callback: z.object({ when: z.string().max(100).optional(), reason: z.string().max(300).optional() }),
  opt_out: z.object({ channel: z.enum(['ai_call', 'all_calls']).default('all_calls') }),
  end_call: z.object({ reason: z.string().max(200).optional() }),
  ...SafeguardArgs,
} as const;
export type ToolName = keyof typeof ToolArgs;
export const TOOL_NAMES = Object.keys(ToolArgs) as ToolName[];

/** The agent's function tools (same set for the Realtime and the Gather flows). */
export const COLLECTION_TOOLS: ToolSpec[] = [
  {
    name: 'verify_identity',
    description:
      "The person's answer to the identity question, exactly as given. Our system checks it; only a confirmed identity tells you what the call is about.",
    parameters: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
  },
  {
    name: 'wrong_person',
    description: 'The person is not the one asked for, or cannot confirm their identity: leave a call-back request with no details.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } } },
  },
  {
    name: 'stop_recording',
    description: 'The person objects to the call being recorded: the recording is stopped.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'record_vulnerability',
    description:
      'The person mentions illness, bereavement, job loss, mental-health or money difficulties, or seems not to understand: collection pauses and a person follows up.',
    parameters: {
      type: 'object',
      properties: {
        category: { type: 'string', enum: ['health', 'life_event', 'resilience', 'capability', 'mental_capacity'] },
        note: { type: 'string', description: 'A short factual note, no diagnosis' },
      },
      required: ['category'],
    },
  },
  {
    name: 'transfer_to_agent',
    description: 'The person asks to speak to a person: they are put through to the team (or called back when nobody is available).',
    parameters: { type: 'object', properties: { reason: { type: 'string' } } },
  },
  {
    name: 'send_payment_link',
    description: 'Text the debtor a secure link to pay the outstanding balance now. Only when they ask to pay during the call.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'record_promise_to_pay',
    description: 'Record the date (and amount, GBP) the debtor promises to pay. A confirmation text follows.',
    parameters: {
      type: 'object',
      properties: {
        amount: { type: 'number', description: 'GBP; default the outstanding balance' },
        date: { type: 'string', description: 'YYYY-MM-DD' },
      },
      required: ['date'],
    },
  },
  {
    name: 'propose_payment_plan',
    description: 'Record a payment plan the debtor agrees to in principle (the team confirms it in writing).',
    parameters: {
      type: 'object',
      properties: {
        installments: { type: 'integer', minimum: 2, maximum: 24 },
        frequency: { type: 'string', enum: ['weekly', 'monthly'] },
        first_payment_date: { type: 'string', description: 'YYYY-MM-DD' },
      },
      required: ['installments'],
    },
  },
  {
    name: 'record_dispute',
    description: 'The debtor disputes the debt: collection pauses and the call should end.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
  {
    name: 'request_callback',
    description: 'The debtor asks to be called back (or wants a person).',
    parameters: { type: 'object', properties: { when: { type: 'string' }, reason: { type: 'string' } } },
  },
  {
    name: 'opt_out',
    description: 'The debtor asks us to stop calling.',
    parameters: { type: 'object', properties: { channel: { type: 'string', enum: ['ai_call', 'all_calls'] } } },
  },
  {
    name: 'end_call',
    description: 'Hang up after saying goodbye.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } } },
  },
];

export interface ToolResult {
  ok: boolean;
  message: string;
  /** The call should end after the agent's next words. */
  endCall?: boolean;
  data?: Record<string, unknown>;
}

export interface CallToolsDeps {
  db: Database;
  compliance: ComplianceService;
  producer: JobProducer;
  paymentLinks: PaymentLinks;
  logger: Logger;
  /** The live call: recording control and how the call ends (transfer, signposting). */
  live: LiveCallControl;
  transferNumber?: string;
  callerId?: string;
  transferActionUrl(callId: string): string;
  saveTurn?(callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null): Promise<void>;
  clock?: () => Date;
}

interface CallParams {
  enable_payment_during_call?: boolean;
  business_name?: string;
  invoice_reference?: string;
}

/** Who the invoice timeline names for what the agent recorded. */
const ACTOR = 'voice_agent';
const DAY = 86_400_000;

/**
 * Runs one function call of the agent: validated, checked by the compliance engine where it contacts anyone, applied
 * through the collections core's use cases (never a write of our own to invoices, contacts or payments), recorded once
 * (CallAction).
 */
export class CallTools {
  private readonly core: CollectionsDeps;
  private readonly safeguards: SafeguardDeps;

  constructor(private readonly deps: CallToolsDeps) {
    this.core = { db: deps.db, producer: deps.producer, logger: deps.logger, clock: deps.clock };
    this.safeguards = {
      db: deps.db,
      core: this.core,
      live: deps.live,
      transferNumber: deps.transferNumber,
      callerId: deps.callerId,
      transferActionUrl: deps.transferActionUrl,
      saveTurn: deps.saveTurn,
      now: () => this.now(),
    };
  }

  /**
   * Keys the caller pressed (a complete sequence): 0 alone asks for a person; before identity, digits are the answer
   * to the identity question (a date of birth, the reference's last four), checked by our code. Null: the model should
   * hear them as the caller's words.
   */
  async onKeys(call: CallModel, digits: string, sequence: number): Promise<ToolResult | null> {
    if (digits === '0') return this.run(call, 'transfer_to_agent', JSON.stringify({ reason: 'pressed 0' }), `dtmf-${sequence}`);
    const current = await this.deps.db.call.findUnique({ where: { id: call.id }, select: { identityVerifiedAt: true } });
    if (!digits || current?.identityVerifiedAt) return null;
    return this.run(call, 'verify_identity', JSON.stringify({ answer: digits, keyed: true }), `dtmf-${sequence}`);
  }

  async run(call: CallModel, name: string, rawArguments: string, toolCallId: string): Promise<ToolResult> {
    const { db } = this.deps;
    const existing = await db.callAction.findUnique({ where: { callId_toolCallId: { callId: call.id, toolCallId } } });
    if (existing) return (existing.result as unknown as ToolResult) ?? { ok: existing.allowed, message: 'already done' };
    let args: unknown;
    try {
      args = JSON.parse(rawArguments || '{}');
    } catch {
      args = null;
    }
    let result: ToolResult;
    let allowed = true;
    const schema = (ToolArgs as Record<string, z.ZodType | undefined>)[name];
    const parsed = schema?.safeParse(args ?? {});
    if (!schema || !parsed?.success) {
      allowed = false;
      result = {
        ok: false,
        message: schema
          ? `invalid arguments: ${parsed?.error?.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`
          : `unknown tool ${name}`,
      };
    } else if (IDENTITY_REQUIRED.has(name) && !(await this.identityVerified(call.id))) {
      // CONC 7.9.7R: nothing is disclosed to, or taken from, a caller whose identity our code has not accepted.
      allowed = false;
      result = {
        ok: false,
        message: 'Refused: the identity of the person has not been confirmed. Ask the identity question and call verify_identity first.',
      };
    } else {
      try {
        result = await this.apply(call, name as ToolName, parsed.data as never, toolCallId);
        allowed = result.ok;
      } catch (err) {
        allowed = false;
        if (isCollectionsError(err)) {
          // The core refused (the invoice is paid or closed, an amount is too high): the agent can say why.
          this.deps.logger.info({ code: err.code, field: err.field, tool: name, callId: call.id }, 'tool refused by the collections core');
          result = { ok: false, message: `That cannot be recorded: ${err.message}.` };
        } else {
          this.deps.logger.warn({ err: { message: (err as Error).message }, tool: name, callId: call.id }, 'tool failed');
          result = { ok: false, message: 'That could not be done just now; a member of the team will follow up.' };
        }
      }
    }
    // The identity answer itself is never stored (only whether it matched).
    const stored = name === 'verify_identity' ? { answer: '[withheld]' } : (args ?? {});
    const storedResult =
      name === 'verify_identity' ? { ok: result.ok, message: result.ok ? 'identity confirmed' : 'no match', data: result.data } : result;
    await db.callAction
      .create({
        data: { callId: call.id, name, toolCallId, arguments: stored as object, allowed, result: storedResult as unknown as object },
      })
      .catch((err: { code?: string }) => {
        if (err.code !== 'P2002') throw err;
      });
    return result;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  private async identityVerified(callId: string): Promise<boolean> {
    const call = await this.deps.db.call.findUnique({ where: { id: callId }, select: { identityVerifiedAt: true } });
    return Boolean(call?.identityVerifiedAt);
  }

  private async apply<N extends ToolName>(
    call: CallModel,
    name: N,
    args: z.infer<(typeof ToolArgs)[N]>,
    toolCallId: string,
  ): Promise<ToolResult> {
    const params = (call.params ?? {}) as CallParams;
    switch (name) {
      case 'send_payment_link':
        return this.sendPaymentLink(call, params, toolCallId);
      case 'record_promise_to_pay':
        return this.recordPromise(call, args as z.infer<(typeof ToolArgs)['record_promise_to_pay']>);
      case 'propose_payment_plan':
        return this.proposePlan(call, args as z.infer<(typeof ToolArgs)['propose_payment_plan']>);
      case 'record_dispute':
        return this.recordDispute(call, args as z.infer<(typeof ToolArgs)['record_dispute']>);
      case 'request_callback':
        return this.requestCallback(call, args as z.infer<(typeof ToolArgs)['request_callback']>);
      case 'opt_out':
        return this.optOut(call, args as z.infer<(typeof ToolArgs)['opt_out']>);
      case 'end_call':
        return { ok: true, message: 'Ending the call.', endCall: true };
      case 'verify_identity':
        return verifyIdentity(this.safeguards, call, args as z.infer<(typeof ToolArgs)['verify_identity']>);
      case 'wrong_person':
        return wrongPerson(this.safeguards, call);
      case 'stop_recording':
        return stopRecording(this.safeguards, call);
      case 'record_vulnerability':
        return recordVulnerabilityTool(this.safeguards, call, args as z.infer<(typeof ToolArgs)['record_vulnerability']>);
      case 'transfer_to_agent':
        return transferToAgent(this.safeguards, call, args as z.infer<(typeof ToolArgs)['transfer_to_agent']>);
    }
    return { ok: false, message: `unknown tool ${String(name)}` };
  }

  private async invoiceOf(call: CallModel) {
    if (!call.invoiceId) throw new Error('call has no invoice');
    return this.deps.db.invoice.findFirstOrThrow({
      where: { id: call.invoiceId, tenantId: call.tenantId },
      include: { client: true, tenant: true },
    });
  }

  /** Enqueues an SMS (the contact is recorded first, keyed by the job id) after the compliance engine allows it. */
  private async enqueueSms(
    call: CallModel,
    purpose: 'payment_link' | 'promise_to_pay_confirmation',
    templateId: string,
    variables: Record<string, string>,
    jobId: string,
  ): Promise<{ allowed: boolean; reason?: string }> {
    const decision = await this.deps.compliance.evaluate({
      tenantId: call.tenantId,
      clientId: call.clientId,
      invoiceId: call.invoiceId,
      channel: 'sms',
      purpose,
      actor: 'voice-agent',
      // The debtor asked for it on the call (CONC 7.9: contact the debtor requested).
      debtorRequested: true,
    });
    if (!decision.allowed) return { allowed: false, reason: decision.reasons.find((r) => r.severity === 'deny')?.code };
    await recordQueuedContact(this.deps.db, {
      tenantId: call.tenantId,
      clientId: call.clientId,
      invoiceId: call.invoiceId,
      channel: 'sms',
      purpose,
      templateId,
      jobId,
      scheduledFor: this.now(),
      detail: { source: 'ai_call', call_id: call.id },
    });
    await this.deps.producer.enqueue(
      'sms.send',
      {
        tenant_id: call.tenantId,
        client_id: call.clientId,
        invoice_id: call.invoiceId ?? undefined,
        channel: 'sms',
        template_id: templateId,
        purpose,
        requested_by: 'voice-agent',
        variables,
      },
      { jobId },
    );
    return { allowed: true };
  }

  /** The link asks for the quoted balance, the same figure the agent spoke. */
  private async sendPaymentLink(call: CallModel, params: CallParams, toolCallId: string): Promise<ToolResult> {
    if (!params.enable_payment_during_call)
      return { ok: false, message: 'Payment during this call is not enabled; offer a promise date or a plan instead.' };
    const invoice = await this.invoiceOf(call);
    if (!isCollectable(invoice.status)) return { ok: false, message: `This invoice is ${invoice.status}; no payment is being asked for.` };
    const quote = await quoteOf(this.deps.db, invoice, this.now());
    if (quote.totalPence <= 0) return { ok: false, message: 'Nothing is outstanding on this invoice.' };
    const link = await createRecordedPaymentLink(this.deps.db, this.deps.paymentLinks, {
      tenantId: call.tenantId,
      invoiceId: invoice.id,
      amountPence: quote.totalPence,
      currency: quote.currency,
      description: `Invoice ${invoice.reference} from ${invoice.tenant.name}`,
      customerEmail: invoice.client.email,
      idempotencyKey: `call-${call.id}-link`,
    });
    const sms = await this.enqueueSms(call, 'payment_link', 'payment_link.sms', { payment_link_url: link.url }, `call-${call.id}-link-sms`);
    if (!sms.allowed) return { ok: false, message: `A text cannot be sent now (${sms.reason}).` };
    return {
      ok: true,
      message: `A link to pay ${formatPence(link.amountPence, link.currency)} has been texted.`,
      data: { payment_link_id: link.id, amount_pence: link.amountPence, tool_call_id: toolCallId },
    };
  }

  /**
   * One promise per call (the core returns the first for the same call); the amount defaults to the unpaid invoice
   * amount, which is what the core holds a promise against.
   */
  private async recordPromise(call: CallModel, args: { amount?: number; date: string }): Promise<ToolResult> {
    const invoice = await this.invoiceOf(call);
    const quote = await quoteOf(this.deps.db, invoice, this.now());
    if (args.date < isoDate(londonToday(this.now())))
      return { ok: false, message: 'The promised date is in the past; ask for a future date.' };
    const amountPence = args.amount ? Math.round(args.amount * 100) : quote.principalPence;
    if (amountPence <= 0 || amountPence > quote.principalPence)
      return { ok: false, message: `The amount must be between £0.01 and ${formatPence(quote.principalPence, quote.currency)}.` };
    const promise = await recordPromiseToPay(this.core, {
      tenantId: call.tenantId,
      invoiceId: invoice.id,
      amountPence,
      promisedFor: dateOnly(args.date),
      source: 'call',
      sourceId: call.id,
      actor: ACTOR,
    });
    const promised = `${formatPence(promise.amountPence, quote.currency)} by ${isoDate(promise.promisedFor)}`;
    if (promise.amountPence !== amountPence || isoDate(promise.promisedFor) !== args.date)
      return { ok: false, message: `A promise was already recorded on this call: ${promised}.`, data: { promise_id: promise.id } };
    const sms = await this.enqueueSms(
      call,
      'promise_to_pay_confirmation',
      'promise_to_pay_confirmation.sms',
      { promise_amount: (promise.amountPence / 100).toFixed(2), promise_date: args.date },
      `call-${call.id}-promise`,
    );
    return {
      ok: true,
      message: sms.allowed ? `Promise of ${promised} recorded; a confirmation text will follow.` : `Promise of ${promised} recorded.`,
      data: { promise_id: promise.id, confirmation_sms: sms.allowed },
    };
  }

  /** A plan agreed in principle on the call: `proposed` until the creditor confirms it in writing. */
  private async proposePlan(
    call: CallModel,
    args: { installments: number; frequency: 'weekly' | 'monthly'; first_payment_date?: string },
  ): Promise<ToolResult> {
    const invoice = await this.invoiceOf(call);
    const now = this.now();
    const quote = await quoteOf(this.deps.db, invoice, now);
    const first = args.first_payment_date ?? isoDate(new Date(londonToday(now).getTime() + 7 * DAY));
    if (first < isoDate(londonToday(now))) return { ok: false, message: 'The first payment date is in the past; ask for a future date.' };
    const { plan, created } = await agreePaymentPlan(this.core, {
      tenantId: call.tenantId,
      invoiceId: invoice.id,
      installments: installmentSchedule(quote.principalPence, args.installments, args.frequency, first),
      frequency: args.frequency,
      status: 'proposed',
      source: 'voice_agent',
      actor: ACTOR,
    });
    if (!created)
      return { ok: false, message: 'A payment plan is already on record for this invoice.', data: { payment_plan_id: plan.id } };
    return {
      ok: true,
      message: `Plan of ${args.installments} ${args.frequency} payments noted; the team will confirm it in writing.`,
      data: { payment_plan_id: plan.id },
    };
  }

  /** CONC 7.14: a disputed debt is not pursued. The core opens the dispute and withdraws the invoice's queued contacts. */
  private async recordDispute(call: CallModel, args: { reason: string }): Promise<ToolResult> {
    if (!call.invoiceId) return { ok: false, message: 'This call is about no invoice; a member of the team will follow up.' };
    const { dispute } = await openDispute(this.core, {
      tenantId: call.tenantId,
      invoiceId: call.invoiceId,
      source: 'call',
      reason: args.reason || null,
      actor: ACTOR,
    });
    return {
      ok: true,
      message: `Dispute recorded; collection is paused. Give the debtor their dispute reference, ${dispute.reference}, reading it out character by character.`,
      endCall: true,
      data: { dispute_id: dispute.id, dispute_reference: dispute.reference },
    };
  }

  private async requestCallback(call: CallModel, args: { when?: string; reason?: string }): Promise<ToolResult> {
    const when = args.when && !Number.isNaN(Date.parse(args.when)) ? new Date(args.when) : new Date(this.now().getTime() + DAY);
    if (call.invoiceId)
      await recordCallbackRequest(this.core, {
        tenantId: call.tenantId,
        invoiceId: call.invoiceId,
        at: when,
        reason: args.reason ?? null,
        source: 'call',
        actor: ACTOR,
      });
    return { ok: true, message: 'Callback noted.', data: { when: when.toISOString() } };
  }

  /** CONC 7.9: the debtor's request about the means of contact is respected; queued calls are withdrawn. */
  private async optOut(call: CallModel, args: { channel: 'ai_call' | 'all_calls' }): Promise<ToolResult> {
    const { stoppedChannels } = await stopContactChannels(this.core, {
      tenantId: call.tenantId,
      clientId: call.clientId,
      channels: args.channel === 'ai_call' ? ['ai_call'] : ['ai_call', 'ivr_call'],
      reason: 'the debtor asked on an AI call not to be called',
      actor: ACTOR,
    });
    return { ok: true, message: 'We will not call again.', endCall: true, data: { stopped: stoppedChannels } };
  }
}
