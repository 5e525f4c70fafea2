import { londonDayStart } from '@recoup/collections';
import { Prisma, type Database, type IvrCallModel as IvrCall } from '@recoup/db';
import type { IvrCallStats, IvrCallStatus, IvrCallView, IvrPaymentPlan, IvrTranscriptTurn, ListIvrCallsQuery } from '@recoup/contracts';
import type { PlanOffer } from '../negotiation/policy';
import type { AccountData, NegotiationState } from './conversation';

export type { IvrCall };

const json = (v: unknown) => v as Prisma.InputJsonValue;

export function planView(plan: PlanOffer | null | undefined): IvrPaymentPlan | null {
  if (!plan) return null;
  return {
    monthly_amount: plan.monthlyPence / 100,
    months: plan.months,
    final_amount: plan.finalPence / 100,
    total: plan.totalPence / 100,
    settlement_discount_percent: plan.settlementDiscountPercent,
    kind: plan.kind,
  };
}

export function accountOf(row: IvrCall): AccountData {
  return row.accountData as unknown as AccountData;
}
export function negotiationOf(row: IvrCall): NegotiationState {
  const stored = row.negotiation as unknown as NegotiationState | null;
  return stored ?? { stage: 'offer', plan: accountOf(row).offeredPlan, affordabilityAsks: 0, counterOffers: 0 };
}
export function transcriptOf(row: IvrCall): IvrTranscriptTurn[] {
  return Array.isArray(row.transcript) ? (row.transcript as unknown as IvrTranscriptTurn[]) : [];
}

/** The public shape (snake_case, major units) of one call. */
export function toView(row: IvrCall): IvrCallView {
  const account = accountOf(row);
  return {
    id: row.id,
    call_sid: row.callSid,
    campaign_id: row.campaignId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    caller_phone: row.callerPhone,
    customer_name: row.customerName,
    creditor_name: account.creditorName,
    balance: account.balancePence / 100,
    currency: account.currency,
    intent: (row.intent as IvrCallView['intent']) ?? null,
    status: row.status as IvrCallStatus,
    confidence: row.confidence,
    payment_plan: planView(row.paymentPlan as unknown as PlanOffer | null),
    reply_text: row.replyText,
    confirmation_response: row.confirmationResponse,
    retry_count: row.retryCount,
    classifier: row.classifier,
    amount_agreed: row.agreedMonthlyPence !== null && row.paymentPlan ? (row.paymentPlan as unknown as PlanOffer).totalPence / 100 : null,
    sensitive: row.sensitive,
    transcript_withheld: false,
    transcript: transcriptOf(row),
  };
}

/** Roles whose keys may read a sensitive call's transcript when they ask for it explicitly. */
export const SENSITIVE_READER_ROLES = ['sensitive_reader', 'owner'];
export const SENSITIVE_SCOPE = 'transcripts:sensitive';

/**
 * A view as this reader may see it: a sensitive call's transcript and the debtor's own words are withheld unless the
 * reader holds the explicit scope (UK GDPR Art. 9: health and vulnerability are special-category data).
 */
export function viewFor(view: IvrCallView, mayReadSensitive: boolean): IvrCallView {
  if (!view.sensitive || mayReadSensitive) return view;
  return { ...view, transcript: [], confirmation_response: null, transcript_withheld: true };
}

export interface NewIvrCall {
  tenantId: string;
  clientId: string | null;
  invoiceId: string | null;
  campaignId: string | null;
  callerPhone: string;
  customerName: string | null;
  account: AccountData;
  /** The debtor is flagged vulnerable or their capacity is in question: the transcript needs an explicit scope to read. */
  sensitive?: boolean;
}

export interface IvrCallUpdate {
  callSid?: string;
  transcript?: IvrTranscriptTurn[];
  intent?: string | null;
  paymentPlan?: PlanOffer | null;
  replyText?: string | null;
  confidence?: number | null;
  status?: IvrCallStatus;
  confirmationResponse?: string | null;
  retryCount?: number;
  classifier?: string | null;
  negotiation?: NegotiationState;
  agreedPlan?: PlanOffer;
  identityVerifiedAt?: Date;
  recordingSid?: string;
  answeredBy?: string;
  sensitive?: boolean;
}

const FINAL_STATUSES: IvrCallStatus[] = ['confirmed', 'transferred', 'completed', 'failed'];
export const isFinal = (status: string) => FINAL_STATUSES.includes(status as IvrCallStatus);

/** One IvrCall row per call, updated in place as the call goes on. */
export class IvrCallRepository {
  constructor(private readonly db: Database) {}

  create(call: NewIvrCall): Promise<IvrCall> {
    const state: NegotiationState = { stage: 'offer', plan: call.account.offeredPlan, affordabilityAsks: 0, counterOffers: 0 };
    return this.db.ivrCall.create({
      data: {
        tenantId: call.tenantId,
        clientId: call.clientId,
        invoiceId: call.invoiceId,
        campaignId: call.campaignId,
        callerPhone: call.callerPhone,
        customerName: call.customerName,
        sensitive: call.sensitive ?? false,
        accountData: json(call.account),
        paymentPlan: json(call.account.offeredPlan),
        negotiation: json(state),
        status: 'initiated',
      },
    });
  }

  findById(id: string): Promise<IvrCall | null> {
    return this.db.ivrCall.findUnique({ where: { id } });
  }

  findByCallSid(callSid: string): Promise<IvrCall | null> {
    return this.db.ivrCall.findUnique({ where: { callSid } });
  }

  /** The call a queued job already created (the job id is kept in the account data). */
  findByJobId(jobId: string): Promise<IvrCall | null> {
    return this.db.ivrCall.findFirst({ where: { accountData: { path: ['jobId'], equals: jobId } } });
  }

  update(id: string, u: IvrCallUpdate): Promise<IvrCall> {
    return this.db.ivrCall.update({
      where: { id },
      data: {
        ...(u.callSid !== undefined && { callSid: u.callSid }),
        ...(u.transcript !== undefined && { transcript: json(u.transcript) }),
        ...(u.intent !== undefined && { intent: u.intent }),
        ...(u.paymentPlan !== undefined && { paymentPlan: u.paymentPlan === null ? Prisma.DbNull : json(u.paymentPlan) }),
        ...(u.replyText !== undefined && { replyText: u.replyText }),
        ...(u.confidence !== undefined && { confidence: u.confidence }),
        ...(u.status !== undefined && { status: u.status }),
        ...(u.confirmationResponse !== undefined && { confirmationResponse: u.confirmationResponse }),
        ...(u.retryCount !== undefined && { retryCount: u.retryCount }),
        ...(u.classifier !== undefined && { classifier: u.classifier }),
        ...(u.negotiation !== undefined && { negotiation: json(u.negotiation) }),
        ...(u.agreedPlan !== undefined && { agreedMonthlyPence: u.agreedPlan.monthlyPence, agreedMonths: u.agreedPlan.months }),
        ...(u.identityVerifiedAt !== undefined && { identityVerifiedAt: u.identityVerifiedAt }),
        ...(u.recordingSid !== undefined && { recordingSid: u.recordingSid }),
        ...(u.answeredBy !== undefined && { answeredBy: u.answeredBy }),
        ...(u.sensitive !== undefined && { sensitive: u.sensitive }),
      },
    });
  }

  private where(tenantId: string | undefined, q: Pick<ListIvrCallsQuery, 'status' | 'intent' | 'from' | 'to'>): Prisma.IvrCallWhereInput {
    const createdAt: Prisma.DateTimeFilter = {};
    if (q.from) createdAt.gte = londonDayStart(q.from);
    if (q.to) {
      const next = new Date(`${q.to}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      createdAt.lt = londonDayStart(next.toISOString().slice(0, 10));
    }
    return {
      ...(tenantId && { tenantId }),
      ...(q.status && { status: q.status }),
      ...(q.intent && { intent: q.intent }),
      ...((q.from || q.to) && { createdAt }),
    };
  }

  async list(tenantId: string | undefined, q: ListIvrCallsQuery): Promise<{ rows: IvrCall[]; total: number; stats: IvrCallStats }> {
    const where = this.where(tenantId, q);
    const [rows, total, byStatus, agreed] = await Promise.all([
      this.db.ivrCall.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        skip: (q.page - 1) * q.page_size,
        take: q.page_size,
      }),
      this.db.ivrCall.count({ where }),
      this.db.ivrCall.groupBy({ by: ['status'], where, _count: { _all: true } }),
      this.db.ivrCall.findMany({ where: { ...where, status: 'confirmed' }, select: { paymentPlan: true } }),
    ]);
    const count = (s: string) => byStatus.find((g) => g.status === s)?._count._all ?? 0;
    const agreedPence = agreed.reduce((sum, r) => sum + ((r.paymentPlan as unknown as PlanOffer | null)?.totalPence ?? 0), 0);
    return {
      rows,
      total,
      stats: {
        total,
        willing_to_pay: count('confirmed'),
        needs_negotiation: count('needs_negotiation') + count('transferred'),
        pending_clarification: count('pending_clarification'),
        no_response: count('no_response'),
        amount_agreed: agreedPence / 100,
      },
    };
  }
}
