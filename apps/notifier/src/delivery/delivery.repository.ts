import {
  claimDeliveryAttempts,
  mintDebtorLinkTokens,
  quoteInvoiceBalances,
  recordDeliveriesSent,
  recordDeliveryAttempts,
  type BalanceQuote,
  type DeliveryAttemptRow,
  type DeliverySent,
  type JobAttempt,
  type MintDebtorLinkInput,
  type MintedDebtorLink,
  type quoteInvoiceBalance,
} from '@recoup/collections';
import type { AuditedDecision, ComplianceService, ContactCheck } from '@recoup/compliance';
import { TurnBatcher, hotQuery, type Database } from '@recoup/db';
import type { ClientRow, InvoiceRow, MessageFacts, TenantRow } from './message-variables';

export interface SendSubject {
  attempt: { id: string; status: string; detail: unknown; tenantId: string } | null;
  client: (ClientRow & { tenant: TenantRow & { tier: string; limitOverrides: unknown } }) | null;
  invoice: (InvoiceRow & { status: string; cancelledAt: Date | null; currency: string; tenantId: string; clientId: string }) | null;
}

interface Row {
  a_id: string | null;
  a_status: string | null;
  a_detail: unknown;
  a_tenant_id: string | null;
  c_id: string | null;
  c_name: string;
  c_kind: 'business' | 'consumer';
  c_email: string | null;
  c_phone: string | null;
  c_address: unknown;
  c_dispute_opened_at: Date | null;
  c_breathing_space_start: Date | null;
  t_id: string;
  t_name: string;
  t_email: string | null;
  t_tier: string;
  t_limit_overrides: unknown;
  t_collection_policy: unknown;
  i_id: string | null;
  i_reference: string;
  i_amount_pence: number;
  i_paid_pence: number;
  i_issue_date: Date;
  i_due_date: Date;
  i_status: string;
  i_cancelled_at: Date | null;
  i_currency: string;
  i_client_id: string;
}

/**
 * The worker's reads and writes on the hot path. Each is one SQL statement for all the jobs of one event-loop turn
 * (TurnBatcher): a worker running 64 jobs pays one round trip per step instead of 64, and no ORM query compilation
 * (each Prisma model query cost about a millisecond of CPU in the bench's profile). The writes are the collections
 * core's batch functions and the compliance engine's evaluateMany: the statements stay in their owners.
 */
export class DeliveryRepository {
  private readonly loads = new TurnBatcher<LoadKey, SendSubject>((keys) => this.loadMany(keys));
  private readonly attempts: TurnBatcher<{ jobId: string; attempt: JobAttempt }, DeliveryAttemptRow>;
  private readonly claims: TurnBatcher<{ attemptId: string; detail: Record<string, unknown> }, boolean>;
  private readonly sends: TurnBatcher<{ attemptId: string; sent: DeliverySent }, boolean>;
  private readonly decisions: TurnBatcher<ContactCheck, AuditedDecision | Error>;
  private readonly quotes: TurnBatcher<{ invoice: Parameters<typeof quoteInvoiceBalance>[1]; now: Date }, BalanceQuote>;
  private readonly links: TurnBatcher<MintDebtorLinkInput, MintedDebtorLink>;

  constructor(
    private readonly db: Database,
    compliance: ComplianceService,
  ) {
    this.attempts = new TurnBatcher((jobs) => recordDeliveryAttempts(db, jobs));
    this.claims = new TurnBatcher((claims) => claimDeliveryAttempts(db, claims));
    this.sends = new TurnBatcher((sends) => recordDeliveriesSent(db, sends));
    this.decisions = new TurnBatcher((checks) => compliance.evaluateMany(checks));
    this.quotes = new TurnBatcher((requests) => quoteInvoiceBalances(db, requests));
    this.links = new TurnBatcher((inputs) => mintDebtorLinkTokens(db, inputs));
  }

  /** The attempt (by job id), the debtor with their tenant, and the invoice, scoped to the tenant. */
  load(jobId: string, tenantId: string, clientId: string, invoiceId: string | null): Promise<SendSubject> {
    return this.loads.add({ jobId, tenantId, clientId, invoiceId });
  }

  /** recordDeliveryAttempt */
  recordAttempt(jobId: string, attempt: JobAttempt): Promise<DeliveryAttemptRow> {
    return this.attempts.add({ jobId, attempt });
  }

  /** claimDeliveryAttempt: false when it was cancelled or finished first. */
  claim(attemptId: string, detail: Record<string, unknown>): Promise<boolean> {
    return this.claims.add({ attemptId, detail });
  }

  /** recordDeliverySent */
  recordSent(attemptId: string, sent: DeliverySent): Promise<boolean> {
    return this.sends.add({ attemptId, sent });
  }

  /** ComplianceService.evaluate, audited. */
  async evaluate(check: ContactCheck): Promise<AuditedDecision> {
    const decision = await this.decisions.add(check);
    if (decision instanceof Error) throw decision;
    return decision;
  }

  /** What messageVariables needs from the database: the core's balance quote and a fresh debtor link token. */
  readonly messageFacts: MessageFacts = {
    quote: (invoice, now) => this.quotes.add({ invoice, now }),
    mintLinkToken: async (input) => (await this.links.add(input)).token,
  };

  private async loadMany(keys: LoadKey[]): Promise<SendSubject[]> {
    const input = JSON.stringify(
      keys.map((k, ord) => ({ ord, job_id: k.jobId, tenant_id: k.tenantId, client_id: k.clientId, invoice_id: k.invoiceId })),
    );
    const rows = await hotQuery<Row>(
      this.db,
      'notifier.loadSendSubjects',
      `SELECT a.id::text AS a_id, a.status::text AS a_status, a.detail AS a_detail, a.tenant_id::text AS a_tenant_id,
             c.id::text AS c_id, c.name AS c_name, c.kind::text AS c_kind, c.email AS c_email, c.phone AS c_phone, c.address AS c_address,
             c.dispute_opened_at AS c_dispute_opened_at, c.breathing_space_start AS c_breathing_space_start,
             t.id::text AS t_id, t.name AS t_name, t.email AS t_email, t.tier::text AS t_tier, t.limit_overrides AS t_limit_overrides, t.collection_policy AS t_collection_policy,
             i.id::text AS i_id, i.reference AS i_reference, i.amount_pence AS i_amount_pence, i.paid_pence AS i_paid_pence, i.issue_date AS i_issue_date,
             i.due_date AS i_due_date, i.status::text AS i_status, i.cancelled_at AS i_cancelled_at, i.currency AS i_currency, i.client_id::text AS i_client_id
        FROM jsonb_to_recordset($1::jsonb) AS k(ord int, job_id text, tenant_id uuid, client_id uuid, invoice_id uuid)
        LEFT JOIN contact_attempts a ON a.job_id = k.job_id
        LEFT JOIN clients c ON c.id = k.client_id AND c.tenant_id = k.tenant_id
        LEFT JOIN tenants t ON t.id = c.tenant_id
        LEFT JOIN invoices i ON i.id = k.invoice_id AND i.tenant_id = k.tenant_id
       ORDER BY k.ord`,
      [input],
    );
    return keys.map((k, n) => subjectOf(rows[n], k.tenantId));
  }
}

interface LoadKey {
  jobId: string;
  tenantId: string;
  clientId: string;
  invoiceId: string | null;
}

function subjectOf(r: Row | undefined, tenantId: string): SendSubject {
  if (!r) return { attempt: null, client: null, invoice: null };
  return {
    attempt: r.a_id ? { id: r.a_id, status: r.a_status ?? 'queued', detail: r.a_detail, tenantId: r.a_tenant_id ?? '' } : null,
    client: r.c_id
      ? {
          id: r.c_id,
          name: r.c_name,
          kind: r.c_kind,
          email: r.c_email,
          phone: r.c_phone,
          address: r.c_address,
          disputeOpenedAt: r.c_dispute_opened_at,
          breathingSpaceStart: r.c_breathing_space_start,
          tenant: {
            id: r.t_id,
            name: r.t_name,
            email: r.t_email,
            tier: r.t_tier,
            limitOverrides: r.t_limit_overrides,
            collectionPolicy: r.t_collection_policy,
          },
        }
      : null,
    invoice: r.i_id
      ? {
          id: r.i_id,
          reference: r.i_reference,
          amountPence: r.i_amount_pence,
          paidPence: r.i_paid_pence,
          issueDate: r.i_issue_date,
          dueDate: r.i_due_date,
          status: r.i_status,
          cancelledAt: r.i_cancelled_at,
          currency: r.i_currency,
          tenantId,
          clientId: r.i_client_id,
        }
      : null,
  };
}
