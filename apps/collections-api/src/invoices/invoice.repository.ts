import pg from 'pg';
import type { InvoiceModel } from '@recoup/db';

interface InvoiceRow {
  id: string;
  tenant_id: string;
  client_id: string;
  reference: string;
  amount_pence: number;
  paid_pence: number;
  currency: string;
  issue_date: Date;
  due_date: Date;
  status: InvoiceModel['status'];
  collection_stage: number;
  description: string | null;
  last_action_at: Date | null;
  next_action_at: Date | null;
  cancelled_at: Date | null;
  external_provider: string | null;
  external_id: string | null;
  external_updated_at: Date | null;
  external_synced_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const DATE_OID = 1082;
/** `date` columns as UTC midnight, as Prisma returns them (pg's default is local midnight). */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === DATE_OID
      ? (value: string) => new Date(`${value}T00:00:00.000Z`)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const SELECT_ONE = {
  name: 'collections-api.invoice-by-tenant',
  text: `SELECT id, tenant_id, client_id, reference, amount_pence, paid_pence, currency, issue_date, due_date, status::text AS status,
                collection_stage, description, last_action_at, next_action_at, cancelled_at, external_provider, external_id,
                external_updated_at, external_synced_at, created_at, updated_at
           FROM invoices WHERE id = $1::uuid AND tenant_id = $2::uuid`,
};

/**
 * The read side of the hottest route (GET /api/invoices/{id}, and every route that loads "this
 * tenant's invoice") as one named prepared statement on a small pg pool of its own. Through the
 * ORM the same read cost about three times the CPU (bench:gateway, apps/collections-api/README.md);
 * writes stay on Prisma. The tenant id is part of the WHERE clause: isolation is the query itself.
 */
export class InvoiceReader {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string, poolSize = 4) {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    this.pool = new pg.Pool({
      connectionString: url.toString(),
      max: poolSize,
      connectionTimeoutMillis: 5_000,
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    this.pool.on('error', () => undefined); // an idle client's connection dropped; the pool replaces it
  }

  async find(tenantId: string, invoiceId: string): Promise<InvoiceModel | null> {
    const { rows } = await this.pool.query<InvoiceRow>({ ...SELECT_ONE, values: [invoiceId, tenantId] });
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      clientId: r.client_id,
      reference: r.reference,
      amountPence: r.amount_pence,
      paidPence: r.paid_pence,
      currency: r.currency,
      issueDate: r.issue_date,
      dueDate: r.due_date,
      status: r.status,
      collectionStage: r.collection_stage,
      description: r.description,
      lastActionAt: r.last_action_at,
      nextActionAt: r.next_action_at,
      cancelledAt: r.cancelled_at,
      externalProvider: r.external_provider,
      externalId: r.external_id,
      externalUpdatedAt: r.external_updated_at,
      externalSyncedAt: r.external_synced_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
