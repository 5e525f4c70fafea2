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
 * The worker's read on the hot path, as one SQL statement: every message runs it, and each Prisma
 * model query costs about a millisecond of CPU to compile and map (measured in the bench's
 * profile). Its writes to the attempt are the collections core's (contacts/delivery-attempts);
 * the compliance engine keeps its own repository.
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
}
