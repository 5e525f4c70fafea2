import type { Database } from '@recoup/db';
import type { ClientRow, InvoiceRow, TenantRow } from './message-variables';

export interface SendSubject {
  attempt: { id: string; status: string; detail: unknown; tenantId: string } | null;
  client: (ClientRow & { tenant: TenantRow & { tier: string; limitOverrides: unknown } }) | null;
  invoice: (InvoiceRow & { status: string; cancelledAt: Date | null }) | null;
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
}

/**
 * The worker's own reads and writes on the hot path, as single SQL statements: every message
 * runs them, and each Prisma model query costs about a millisecond of CPU to compile and map
 * (measured in the bench's profile). The compliance engine keeps its own repository.
 */
export class DeliveryRepository {
  constructor(private readonly db: Database) {}

  /** The attempt (by job id), the debtor with their tenant, and the invoice, scoped to the tenant: one round trip. */
  async load(jobId: string, tenantId: string, clientId: string, invoiceId: string | null): Promise<SendSubject> {
    const rows = await this.db.$queryRaw<Row[]>`
      SELECT a.id::text AS a_id, a.status::text AS a_status, a.detail AS a_detail, a.tenant_id::text AS a_tenant_id,
             c.id::text AS c_id, c.name AS c_name, c.kind::text AS c_kind, c.email AS c_email, c.phone AS c_phone, c.address AS c_address,
             c.dispute_opened_at AS c_dispute_opened_at, c.breathing_space_start AS c_breathing_space_start,
             t.id::text AS t_id, t.name AS t_name, t.email AS t_email, t.tier::text AS t_tier, t.limit_overrides AS t_limit_overrides, t.collection_policy AS t_collection_policy,
             i.id::text AS i_id, i.reference AS i_reference, i.amount_pence AS i_amount_pence, i.paid_pence AS i_paid_pence, i.issue_date AS i_issue_date,
             i.due_date AS i_due_date, i.status::text AS i_status, i.cancelled_at AS i_cancelled_at
        FROM (SELECT 1) one
        LEFT JOIN contact_attempts a ON a.job_id = ${jobId}
        LEFT JOIN clients c ON c.id = ${clientId}::uuid AND c.tenant_id = ${tenantId}::uuid
        LEFT JOIN tenants t ON t.id = c.tenant_id
        LEFT JOIN invoices i ON i.id = ${invoiceId}::uuid AND i.tenant_id = ${tenantId}::uuid`;
    const r = rows[0];
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
          }
        : null,
    };
  }

  /** Creates the queued attempt for a job the producer did not record; a concurrent twin's row wins. */
  async createQueued(
    jobId: string,
    a: { tenantId: string; clientId: string; invoiceId: string | null; channel: string; purpose: string; templateId: string },
  ): Promise<{ id: string; status: string; detail: unknown }> {
    const inserted = await this.db.$queryRaw<Array<{ id: string; status: string; detail: unknown }>>`
      INSERT INTO contact_attempts (id, tenant_id, client_id, invoice_id, channel, purpose, template_id, status, job_id, updated_at)
      VALUES (gen_random_uuid(), ${a.tenantId}::uuid, ${a.clientId}::uuid, ${a.invoiceId}::uuid, ${a.channel}::"Channel", ${a.purpose}, ${a.templateId}, 'queued', ${jobId}, now())
      ON CONFLICT (job_id) DO NOTHING
      RETURNING id::text, status::text, detail`;
    if (inserted[0]) return inserted[0];
    const existing = await this.db.$queryRaw<
      Array<{ id: string; status: string; detail: unknown }>
    >`SELECT id::text, status::text, detail FROM contact_attempts WHERE job_id = ${jobId}`;
    if (!existing[0]) throw new Error(`contact attempt for job ${jobId} vanished`);
    return existing[0];
  }

  async setDetail(id: string, detail: Record<string, unknown>): Promise<void> {
    await this.db
      .$executeRaw`UPDATE contact_attempts SET detail = ${JSON.stringify(detail)}::jsonb, updated_at = now() WHERE id = ${id}::uuid`;
  }

  /** Marks a still-queued attempt sent (a webhook or a twin may have moved it on already). */
  async markSent(id: string, s: { provider: string; providerMessageId: string; costPence: number; sentAt: Date }): Promise<void> {
    await this.db.$executeRaw`UPDATE contact_attempts
      SET status = 'sent', provider = ${s.provider}, provider_message_id = ${s.providerMessageId}, cost_pence = ${s.costPence}, sent_at = ${s.sentAt},
          scheduled_for = NULL, failure_reason = NULL, updated_at = now()
      WHERE id = ${id}::uuid AND status = 'queued'`;
  }
}
