import type { RuleSetOverrides } from './rule-set.schema';
import { hotQuery, type ClientModel, type Database, type InvoiceModel } from '@recoup/db';
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

  /**
   * One SQL statement for the client, the invoice and the recent contact (attempts with their call's
   * AnsweredBy, and calls placed without an attempt). It runs before every contact, so it is raw
   * SQL: through the ORM the same reads were four queries and most of an escalation's CPU.
   */
  async load(args: FactsQuery): Promise<LoadedFacts> {
    const [loaded] = await this.loadMany([args]);
    if (!loaded) throw new Error('no facts loaded');
    if (loaded instanceof Error) throw loaded;
    return loaded;
  }

  /**
   * load() for many contacts in one statement (a worker checks the messages of one event-loop turn together): in the
   * order of `queries`, the facts or the ComplianceSubjectNotFoundError of each.
   */
  async loadMany(queries: readonly FactsQuery[]): Promise<Array<LoadedFacts | ComplianceSubjectNotFoundError>> {
    const input = JSON.stringify(
      queries.map((q, ord) => ({
        ord,
        tenant_id: q.tenantId,
        client_id: q.clientId,
        invoice_id: q.invoiceId ?? null,
        exclude_id: q.excludeContactAttemptId ?? null,
        since: q.since.toISOString(),
      })),
    );
    const rows = await hotQuery<{ client: RawClient | null; invoice: RawInvoice | null; attempts: RawAttempt[]; calls: RawCall[] }>(
      this.db,
      'compliance.loadFacts',
      `
      SELECT
        (SELECT row_to_json(c) FROM (
           SELECT id, kind::text AS kind, nation::text AS nation, timezone, phone, email, dispute_opened_at, dispute_resolved_at,
                  stopped_channels::text[] AS stopped_channels, preferred_channel::text AS preferred_channel, preferred_times,
                  breathing_space_start, breathing_space_end, vulnerable, mental_capacity_concern, artificial_voice_consent_at,
                  jurisdiction::text AS jurisdiction
           FROM clients WHERE id = q.client_id AND tenant_id = q.tenant_id) c) AS client,
        (SELECT row_to_json(i) FROM (
           SELECT id, amount_pence, paid_pence, currency, due_date, status::text AS status
           FROM invoices WHERE id = q.invoice_id AND tenant_id = q.tenant_id AND client_id = q.client_id) i) AS invoice,
        (SELECT coalesce(json_agg(a), '[]'::json) FROM (
           -- The attempts of one statement (one message for several invoices) are ONE contact; excluding one of them
           -- (the message being sent) excludes the whole message.
           SELECT DISTINCT ON (coalesce(ca.statement_job_id, ca.id::text))
                  ca.channel::text AS channel, ca.status::text AS status, ca.invoice_id, ca.created_at, ca.sent_at, cl.answered_by
           FROM contact_attempts ca LEFT JOIN calls cl ON cl.contact_attempt_id = ca.id
           WHERE ca.tenant_id = q.tenant_id AND ca.client_id = q.client_id AND ca.created_at >= q.since
             AND (q.exclude_id IS NULL OR (ca.id <> q.exclude_id
               AND NOT coalesce(ca.statement_job_id = (SELECT x.statement_job_id FROM contact_attempts x WHERE x.id = q.exclude_id), false)))
           ORDER BY coalesce(ca.statement_job_id, ca.id::text), ca.status IN ('cancelled', 'blocked', 'failed', 'bounced'), ca.created_at) a) AS attempts,
        (SELECT coalesce(json_agg(k), '[]'::json) FROM (
           SELECT kind::text AS kind, status, answered_by, invoice_id, started_at, created_at
           FROM calls WHERE tenant_id = q.tenant_id AND client_id = q.client_id AND contact_attempt_id IS NULL AND created_at >= q.since) k) AS calls
      FROM jsonb_to_recordset($1::jsonb)
        AS q(ord int, tenant_id uuid, client_id uuid, invoice_id uuid, exclude_id uuid, since timestamptz)
      ORDER BY q.ord`,
      [input],
    );
    return queries.map((q, k) => {
      const row = rows[k];
      if (!row?.client) return new ComplianceSubjectNotFoundError(`client ${q.clientId}`);
      if (q.invoiceId && !row.invoice) return new ComplianceSubjectNotFoundError(`invoice ${q.invoiceId}`);
      return loadedFactsOf(row.client, row.invoice, row.attempts, row.calls);
    });
  }
}

export interface FactsQuery {
  tenantId: string;
  clientId: string;
  invoiceId?: string | null;
  since: Date;
  excludeContactAttemptId?: string | null;
}

function loadedFactsOf(raw: RawClient, invoice: RawInvoice | null, attempts: RawAttempt[], calls: RawCall[]): LoadedFacts {
  const client = clientOf(raw);
  const preferred = client.preferredTimes == null ? null : PreferredTimesSchema.safeParse(client.preferredTimes);
  return {
    client,
    debtor: debtorFactsOf(client, preferred?.success ? preferred.data : null),
    debt: invoice ? debtFactsOf(invoiceOf(invoice)) : null,
    history: [
      ...attempts.map((a) => ({
        channel: a.channel as Channel,
        at: new Date(a.sent_at ?? a.created_at),
        status: a.status as ContactStatus,
        invoiceId: a.invoice_id,
        answeredBy: a.answered_by,
      })),
      ...calls.map(historyOfRawCall),
    ],
    preferredTimesInvalid: preferred !== null && !preferred.success,
  };
}

interface RawClient {
  id: string;
  kind: string;
  nation: string;
  timezone: string;
  phone: string | null;
  email: string | null;
  dispute_opened_at: string | null;
  dispute_resolved_at: string | null;
  stopped_channels: string[];
  preferred_channel: string | null;
  preferred_times: unknown;
  breathing_space_start: string | null;
  breathing_space_end: string | null;
  vulnerable: boolean;
  mental_capacity_concern: boolean;
  artificial_voice_consent_at: string | null;
  jurisdiction: string;
}
interface RawInvoice {
  id: string;
  amount_pence: number;
  paid_pence: number;
  currency: string;
  due_date: string;
  status: string;
}
interface RawAttempt {
  channel: string;
  status: string;
  invoice_id: string | null;
  created_at: string;
  sent_at: string | null;
  answered_by: string | null;
}
interface RawCall {
  kind: string;
  status: string;
  answered_by: string | null;
  invoice_id: string | null;
  started_at: string | null;
  created_at: string;
}

const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));

/** The client columns the engine reads, in the ORM's shape (the rest of ClientModel is not read here). */
function clientOf(r: RawClient): LoadedFacts['client'] {
  return {
    id: r.id,
    kind: r.kind,
    nation: r.nation,
    timezone: r.timezone,
    phone: r.phone,
    email: r.email,
    disputeOpenedAt: dateOrNull(r.dispute_opened_at),
    disputeResolvedAt: dateOrNull(r.dispute_resolved_at),
    stoppedChannels: r.stopped_channels,
    preferredChannel: r.preferred_channel,
    preferredTimes: r.preferred_times,
    breathingSpaceStart: dateOrNull(r.breathing_space_start),
    breathingSpaceEnd: dateOrNull(r.breathing_space_end),
    vulnerable: r.vulnerable,
    mentalCapacityConcern: r.mental_capacity_concern,
    artificialVoiceConsentAt: dateOrNull(r.artificial_voice_consent_at),
    jurisdiction: r.jurisdiction,
  } as LoadedFacts['client'];
}

function invoiceOf(r: RawInvoice): InvoiceModel {
  // A @db.Date column is midnight UTC in the ORM too.
  return {
    id: r.id,
    amountPence: r.amount_pence,
    paidPence: r.paid_pence,
    currency: r.currency,
    dueDate: new Date(`${r.due_date.slice(0, 10)}T00:00:00Z`),
    status: r.status,
  } as InvoiceModel;
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
  return {
    id: invoice.id,
    amountPence: invoice.amountPence,
    paidPence: invoice.paidPence,
    currency: invoice.currency,
    dueDate: invoice.dueDate,
    status: invoice.status,
  };
}

/** Twilio CallStatus/AnsweredBy to our contact statuses. */
function historyOfRawCall(c: RawCall): ContactHistoryEntry {
  const channel: Channel = c.kind === 'ai' ? 'ai_call' : 'ivr_call';
  const machine = !!c.answered_by && /^(machine_|fax$)/.test(c.answered_by);
  const byStatus: Record<string, ContactStatus> = {
    queued: 'queued',
    initiated: 'queued',
    ringing: 'queued',
    'in-progress': 'answered',
    completed: 'completed',
    busy: 'busy',
    'no-answer': 'no_answer',
    failed: 'failed',
    canceled: 'failed',
    abandoned: 'abandoned',
  };
  const status: ContactStatus = machine ? 'machine' : (byStatus[c.status] ?? 'queued');
  return { channel, at: new Date(c.started_at ?? c.created_at), status, invoiceId: c.invoice_id, answeredBy: c.answered_by };
}
