import { COLLECTABLE_STATUSES } from '@recoup/collections';
import { Prisma, type Database, type InvoiceStatus } from '@recoup/db';
import type { AccountData, NegotiationState } from './conversation';
import { referenceCharacters } from './inbound-identity';
import type { IvrCall } from './ivr-call.repository';

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** The campaign every call a debtor placed to us is filed under (outbound calls carry their own). */
export const INBOUND_CAMPAIGN = 'inbound';

/**
 * Invoices a caller may reach by reference: collectable ones, and disputed ones so the compliance engine (not a
 * "no such reference") answers a debtor calling about their dispute. Closed invoices (paid, cancelled, written off)
 * are never found: nothing is owed, and a closed reference confirms nothing to a stranger.
 */
const REACHABLE_STATUSES: readonly InvoiceStatus[] = [...COLLECTABLE_STATUSES, 'disputed'];

export type InboundInvoice = Prisma.InvoiceGetPayload<{ include: { client: true; tenant: true } }>;

/** The data access of inbound calls: tenant by the number called, debtor by caller ID or reference, the call's one row. */
export class InboundCallRepository {
  constructor(private readonly db: Database) {}

  /**
   * The tenant whose IVR number was called: `ivr_numbers` (E.164) in its `collectionPolicy`. With none registered
   * anywhere and exactly one tenant (a single-tenant install) that tenant answers every number.
   */
  async tenantForNumber(to: string | null): Promise<{ id: string; name: string } | null> {
    if (to) {
      const registered = await this.db.tenant.findMany({
        where: { collectionPolicy: { path: ['ivr_numbers'], array_contains: [to] } },
        select: { id: true, name: true },
        take: 2,
      });
      // The same number registered by two tenants answers for neither: no guess about whose debtor is calling.
      if (registered.length > 1) return null;
      if (registered[0]) return registered[0];
    }
    const only = await this.db.tenant.findMany({ select: { id: true, name: true }, take: 2 });
    return only.length === 1 ? (only[0] ?? null) : null;
  }

  /** The tenant's debtors (not erased) with this phone number, each with their collectable invoices. */
  async callerMatches(tenantId: string, phone: string): Promise<InboundInvoice[]> {
    return this.db.invoice.findMany({
      where: { tenantId, status: { in: [...COLLECTABLE_STATUSES] }, client: { phone, erasedAt: null } },
      include: { client: true, tenant: true },
      orderBy: { dueDate: 'asc' },
      take: 10,
    });
  }

  /**
   * The invoice of this tenant a caller's reference names: every letter and digit ("INV-2026-0042" said or typed as
   * "inv20260042"), or, from a keypad, its digits alone ("20260042") when exactly one reference has them.
   */
  async invoiceByReference(tenantId: string, given: string, fromKeypad: boolean): Promise<InboundInvoice | null> {
    const chars = referenceCharacters(given);
    if (chars.length < 4) return null;
    const statuses = REACHABLE_STATUSES.map((s) => Prisma.sql`${s}::"InvoiceStatus"`);
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      SELECT i.id FROM invoices i JOIN clients c ON c.id = i.client_id
      WHERE i.tenant_id = ${tenantId}::uuid AND c.erased_at IS NULL AND i.status IN (${Prisma.join(statuses)})
        AND (lower(regexp_replace(i.reference, '[^A-Za-z0-9]', '', 'g')) = ${chars}
          OR (${fromKeypad && /^\d+$/.test(chars)} AND regexp_replace(i.reference, '[^0-9]', '', 'g') = ${chars}))
      LIMIT 2`;
    // Two references with the same digits: the keypad cannot tell them apart, so neither is taken.
    const [row, second] = rows;
    if (!row || second) return null;
    return this.db.invoice.findUnique({ where: { id: row.id }, include: { client: true, tenant: true } });
  }

  invoice(tenantId: string, invoiceId: string): Promise<InboundInvoice | null> {
    return this.db.invoice.findFirst({ where: { id: invoiceId, tenantId }, include: { client: true, tenant: true } });
  }

  /** The call's one IvrCall row, created when Twilio first asks what to say (a retried request finds it). */
  async create(call: {
    tenantId: string;
    callSid: string;
    callerPhone: string;
    clientId: string | null;
    account: AccountData;
    state: NegotiationState;
  }): Promise<{ row: IvrCall; created: boolean }> {
    try {
      const row = await this.db.ivrCall.create({
        data: {
          tenantId: call.tenantId,
          clientId: call.clientId,
          callSid: call.callSid,
          campaignId: INBOUND_CAMPAIGN,
          callerPhone: call.callerPhone,
          accountData: json(call.account),
          negotiation: json(call.state),
          status: 'in_progress',
        },
      });
      return { row, created: true };
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
      return { row: await this.db.ivrCall.findUniqueOrThrow({ where: { callSid: call.callSid } }), created: false };
    }
  }

  /** The caller is who they say: the call now belongs to their debtor record and invoice. */
  identify(
    id: string,
    who: { clientId: string; invoiceId: string; customerName: string | null; account: AccountData; sensitive: boolean },
  ): Promise<IvrCall> {
    return this.db.ivrCall.update({
      where: { id },
      data: {
        clientId: who.clientId,
        invoiceId: who.invoiceId,
        customerName: who.customerName,
        accountData: json(who.account),
        paymentPlan: json(who.account.offeredPlan),
        // Once sensitive (a vulnerable debtor), always: never turned off here.
        ...(who.sensitive && { sensitive: true }),
      },
    });
  }
}
