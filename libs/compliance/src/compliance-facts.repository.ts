import type { RuleSetOverrides } from './rule-set.schema';
import type { CallModel, ClientModel, ContactAttemptModel, Database, InvoiceModel } from '@recoup/db';
import type { Channel, ContactHistoryEntry, ContactStatus, DebtFacts, DebtorFacts } from './contact.types';
import { PreferredTimesSchema } from './rule-set.schema';

export class ComplianceSubjectNotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found for this tenant`);
    this.name = 'ComplianceSubjectNotFoundError';
  }
}

export interface LoadedFacts {
  client: ClientModel;
  debtor: DebtorFacts;
  debt: DebtFacts | null;
  history: ContactHistoryEntry[];
  /** clients.preferred_times held something unreadable; it was ignored (recorded in the audit context). */
  preferredTimesInvalid: boolean;
}

/** Reads, per tenant, what the engine needs about a debtor, an invoice and recent contact. */
export class ComplianceFactsRepository {
  constructor(private readonly db: Database) {}

  /** The operator's rule overrides for a tenant (validated when they were written). */
  async tenantOverrides(tenantId: string): Promise<RuleSetOverrides | undefined> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { complianceOverrides: true } });
    const value = tenant?.complianceOverrides;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as RuleSetOverrides) : undefined;
  }

  async load(args: { tenantId: string; clientId: string; invoiceId?: string | null; since: Date; excludeContactAttemptId?: string | null }): Promise<LoadedFacts> {
    const { tenantId, clientId, invoiceId, since } = args;
    const [client, invoice, attempts, calls] = await Promise.all([
      this.db.client.findFirst({ where: { id: clientId, tenantId } }),
      invoiceId ? this.db.invoice.findFirst({ where: { id: invoiceId, tenantId, clientId } }) : Promise.resolve(null),
      this.db.contactAttempt.findMany({
        where: { tenantId, clientId, createdAt: { gte: since }, ...(args.excludeContactAttemptId ? { id: { not: args.excludeContactAttemptId } } : {}) },
        include: { call: { select: { answeredBy: true } } },
      }),
      // Calls recorded without a contact attempt (placed by a voice service directly) count too.
      this.db.call.findMany({ where: { tenantId, clientId, contactAttemptId: null, createdAt: { gte: since } } }),
    ]);
    if (!client) throw new ComplianceSubjectNotFoundError(`client ${clientId}`);
    if (invoiceId && !invoice) throw new ComplianceSubjectNotFoundError(`invoice ${invoiceId}`);
    const preferred = client.preferredTimes == null ? null : PreferredTimesSchema.safeParse(client.preferredTimes);
    return {
      client,
      debtor: debtorFactsOf(client, preferred?.success ? preferred.data : null),
      debt: invoice ? debtFactsOf(invoice) : null,
      history: [...attempts.map(historyOfAttempt), ...calls.map(historyOfCall)],
      preferredTimesInvalid: preferred !== null && !preferred.success,
    };
  }
}

export function debtorFactsOf(client: ClientModel, preferredTimes: DebtorFacts['preferredTimes'] = null): DebtorFacts {
  return {
    kind: client.kind,
    nation: client.nation,
    timezone: client.timezone,
    phone: client.phone,
    email: client.email,
    disputeOpenedAt: client.disputeOpenedAt,
    disputeResolvedAt: client.disputeResolvedAt,
    stoppedChannels: client.stoppedChannels,
    preferredChannel: client.preferredChannel,
    preferredTimes,
    breathingSpaceStart: client.breathingSpaceStart,
    breathingSpaceEnd: client.breathingSpaceEnd,
    vulnerable: client.vulnerable,
    mentalCapacityConcern: client.mentalCapacityConcern,
    artificialVoiceConsentAt: client.artificialVoiceConsentAt,
  };
}

export function debtFactsOf(invoice: InvoiceModel): DebtFacts {
  return { id: invoice.id, amountPence: invoice.amountPence, paidPence: invoice.paidPence, currency: invoice.currency, dueDate: invoice.dueDate, status: invoice.status };
}

function historyOfAttempt(a: ContactAttemptModel & { call: Pick<CallModel, 'answeredBy'> | null }): ContactHistoryEntry {
  // When it went out, not when it was queued; a queued attempt counts from its creation.
  return { channel: a.channel, at: a.sentAt ?? a.createdAt, status: a.status, invoiceId: a.invoiceId, answeredBy: a.call?.answeredBy ?? null };
}

/** Twilio CallStatus/AnsweredBy to our contact statuses. */
function historyOfCall(c: CallModel): ContactHistoryEntry {
  const channel: Channel = c.kind === 'ai' ? 'ai_call' : 'ivr_call';
  const machine = !!c.answeredBy && /^(machine_|fax$)/.test(c.answeredBy);
  const byStatus: Record<string, ContactStatus> = {
    queued: 'queued', initiated: 'queued', ringing: 'queued', 'in-progress': 'answered', completed: 'completed',
    busy: 'busy', 'no-answer': 'no_answer', failed: 'failed', canceled: 'failed', abandoned: 'abandoned',
  };
  const status: ContactStatus = machine ? 'machine' : (byStatus[c.status] ?? 'queued');
  return { channel, at: c.startedAt ?? c.createdAt, status, invoiceId: c.invoiceId, answeredBy: c.answeredBy };
}
