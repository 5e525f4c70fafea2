import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { deriveInvoiceStatus } from '../invoice-status';

export interface CreateInvoiceInput {
  tenantId: string;
  clientId: string;
  reference: string;
  amountPence: number;
  currency: string;
  issueDate: Date;
  dueDate: Date;
  description?: string | null;
  actor: Actor;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

/** Creates an invoice for one of the tenant's debtors, its status derived from its due date, with its timeline entry. */
export async function createInvoice(deps: CollectionsDeps, input: CreateInvoiceInput): Promise<InvoiceModel> {
  if (!Number.isInteger(input.amountPence) || input.amountPence <= 0) throw CollectionsError.invalid('amount must be positive', 'amount');
  if (input.dueDate < input.issueDate) throw CollectionsError.invalid('due_date must not be before issue_date', 'due_date');
  const now = nowOf(deps);
  try {
    return await deps.db.$transaction(async (tx) => {
      const client = await tx.client.findFirst({ where: { id: input.clientId, tenantId: input.tenantId }, select: { id: true } });
      if (!client) throw CollectionsError.notFound('client', 'client_id');
      const status = deriveInvoiceStatus(
        { amountPence: input.amountPence, paidPence: 0, dueDate: input.dueDate, cancelled: false, writtenOff: false, disputed: false },
        now,
      );
      const invoice = await tx.invoice.create({
        data: {
          tenantId: input.tenantId,
          clientId: client.id,
          reference: input.reference,
          amountPence: input.amountPence,
          currency: input.currency.toUpperCase(),
          issueDate: input.issueDate,
          dueDate: input.dueDate,
          description: input.description ?? null,
          status,
        },
      });
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        type: 'invoice_created',
        actor: input.actor,
        toStatus: status,
        detail: { amount_pence: invoice.amountPence, currency: invoice.currency, due_date: input.dueDate.toISOString().slice(0, 10) },
        at: now,
      });
      return invoice;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw CollectionsError.conflict(`Invoice reference ${input.reference} already exists`, 'invoice_reference');
    throw err;
  }
}
