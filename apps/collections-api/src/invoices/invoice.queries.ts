import type { ListInvoicesQuery } from '@recoup/contracts';
import { toMajor } from '@recoup/contracts';
import { quoteInvoiceBalance } from '@recoup/collections';
import type { Database, InvoiceModel, Prisma } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import { COLLECTABLE, londonToday } from './invoice.mapper';

// Read models of the invoice routes: what a page, a timeline and a balance are made of. Writes are the core's.

export function encodeCursor(inv: Pick<InvoiceModel, 'createdAt' | 'id'>): string {
  return Buffer.from(`${inv.createdAt.toISOString()}|${inv.id}`).toString('base64url');
}
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw HttpProblem.badRequest('cursor: not a cursor this API issued', [
      { field: 'query.cursor', pointer: '/cursor', detail: 'invalid cursor' },
    ]);
  }
  return { createdAt, id };
}

/** One page of the tenant's invoices, newest first, with the filters of GET /api/invoices. */
export async function listInvoices(db: Database, tenantId: string, query: ListInvoicesQuery) {
  const tenant = { id: tenantId };
  const today = londonToday();
  const and: Prisma.InvoiceWhereInput[] = [{ tenantId: tenant.id }];
  if (query.client_id) and.push({ clientId: query.client_id });
  if (query.status === 'overdue') and.push({ OR: [{ status: 'overdue' }, { status: 'open', dueDate: { lt: today } }] });
  else if (query.status === 'open') and.push({ status: 'open', dueDate: { gte: today } });
  else if (query.status) and.push({ status: query.status });
  if (query.overdue === true) and.push({ status: { in: [...COLLECTABLE] }, dueDate: { lt: today } });
  if (query.overdue === false) and.push({ NOT: { status: { in: [...COLLECTABLE] }, dueDate: { lt: today } } });
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    and.push({ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] });
  }
  const rows = await db.invoice.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/** Everything that happened to an invoice, oldest first: the core's audit trail, contacts with outcomes, payments, plans, refusals. */
export async function invoiceTimeline(db: Database, tenantId: string, invoice: InvoiceModel) {
  const tenant = { id: tenantId };
  const [attempts, payments, plans, refusals, audit] = await Promise.all([
    db.contactAttempt.findMany({
      where: { invoiceId: invoice.id, tenantId: tenant.id },
      include: { events: { orderBy: { occurredAt: 'asc' } } },
      orderBy: { createdAt: 'asc' },
      take: 500,
    }),
    db.payment.findMany({ where: { invoiceId: invoice.id, tenantId: tenant.id }, orderBy: { receivedAt: 'asc' } }),
    db.paymentPlan.findMany({ where: { invoiceId: invoice.id, tenantId: tenant.id }, orderBy: { createdAt: 'asc' } }),
    db.complianceAudit.findMany({
      where: { invoiceId: invoice.id, tenantId: tenant.id, allowed: false },
      orderBy: { evaluatedAt: 'asc' },
      take: 200,
    }),
    db.invoiceEvent.findMany({ where: { invoiceId: invoice.id, tenantId: tenant.id }, orderBy: { occurredAt: 'asc' }, take: 500 }),
  ]);
  const audited = new Set(audit.map((e) => e.type));
  const events = [
    // Invoices created before the audit trail existed have no invoice_created entry of their own.
    ...(audited.has('invoice_created')
      ? []
      : [
          {
            at: invoice.createdAt,
            type: 'invoice_created',
            channel: null,
            status: null,
            detail: { amount: toMajor(invoice.amountPence), due_date: invoice.dueDate.toISOString().slice(0, 10) },
          },
        ]),
    ...audit
      .filter((e) => e.type !== 'payment_applied')
      .map((e) => ({
        at: e.occurredAt,
        type: e.type,
        channel: null,
        status: e.toStatus,
        detail: { ...(e.detail as Record<string, unknown>), actor: e.actor, from_status: e.fromStatus },
      })),
    ...attempts.flatMap((a) => [
      {
        at: a.createdAt,
        type: 'contact_queued',
        channel: a.channel,
        status: a.status,
        detail: {
          contact_attempt_id: a.id,
          template_id: a.templateId,
          purpose: a.purpose,
          scheduled_for: a.scheduledFor?.toISOString() ?? null,
          failure_reason: a.failureReason,
          // The statement (one message for several invoices) this contact went out in, if any.
          ...(a.statementJobId ? { statement_job_id: a.statementJobId, provider_message_id: a.providerMessageId } : {}),
        },
      },
      ...a.events.map((e) => ({
        at: e.occurredAt,
        type: `contact_${e.type}`,
        channel: a.channel,
        status: e.type,
        detail: { contact_attempt_id: a.id, provider: e.provider },
      })),
    ]),
    ...payments.map((p) => ({
      at: p.receivedAt,
      type: 'payment',
      channel: null,
      status: p.status,
      detail: { amount: toMajor(p.amountPence), currency: p.currency, refunded: toMajor(p.refundedPence), method: p.method },
    })),
    ...plans.map((p) => ({
      at: p.createdAt,
      type: 'payment_plan',
      channel: null,
      status: p.status,
      detail: { payment_plan_id: p.id, total: toMajor(p.totalPence), installments: p.installmentCount },
    })),
    ...refusals.map((r) => ({
      at: r.evaluatedAt,
      type: 'contact_refused',
      channel: r.channel,
      status: 'blocked',
      detail: { purpose: r.purpose, reasons: r.reasons, next_allowed_at: r.nextAllowedAt?.toISOString() ?? null },
    })),
    ...(invoice.cancelledAt && !audited.has('invoice_cancelled')
      ? [{ at: invoice.cancelledAt, type: 'invoice_cancelled', channel: null, status: 'cancelled', detail: {} }]
      : []),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  return events;
}

/** The quoted balance of an invoice: the tenant's claim setting and the debtor's kind decide the itemised charges. */
export async function balanceOf(db: Database, invoice: InvoiceModel, now = new Date()) {
  const [quote, client] = await Promise.all([
    quoteInvoiceBalance(db, invoice, now),
    db.client.findUniqueOrThrow({ where: { id: invoice.clientId }, select: { email: true } }),
  ]);
  return { quote, client };
}
