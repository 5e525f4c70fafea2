import type { InvoiceModel, InvoiceStatus } from '@recoup/db';
import type { Tx } from './core-deps';
import { CollectionsError } from './errors';
import { deriveInvoiceStatus } from './invoice-status';

/** Payment statuses whose money counts toward the invoice (net of refunds and chargebacks). */
export const COUNTED_PAYMENT_STATUSES = ['succeeded', 'part_refunded', 'refunded', 'disputed'] as const;

/**
 * Locks the tenant's invoice row for the rest of the transaction (`SELECT … FOR UPDATE`), so concurrent
 * payments, refunds and disputes of one invoice apply one after another and each sees the other's result.
 */
export async function lockInvoice(tx: Tx, tenantId: string, invoiceId: string): Promise<InvoiceModel> {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM invoices WHERE id = ${invoiceId}::uuid AND tenant_id = ${tenantId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw CollectionsError.notFound('invoice', 'invoice_id');
  return tx.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
}

/**
 * What the invoice's counted payments in its own currency add up to: `principalPence` = Σ (amount − refunded −
 * charges), never below 0 per payment; `chargesPence` = what went to claimed late-payment charges (a refund takes
 * back principal first).
 */
export async function ledgerTotals(
  tx: Tx,
  invoice: Pick<InvoiceModel, 'id' | 'currency'>,
): Promise<{ principalPence: number; chargesPence: number }> {
  const rows = await tx.$queryRaw<{ principal: bigint | null; charges: bigint | null }[]>`
    SELECT SUM(GREATEST(0, amount_pence - refunded_pence - charges_pence)) AS principal,
           SUM(LEAST(charges_pence, amount_pence - refunded_pence)) AS charges
    FROM payments
    WHERE invoice_id = ${invoice.id}::uuid AND currency = ${invoice.currency}
      AND status IN ('succeeded', 'part_refunded', 'refunded', 'disputed')`;
  return { principalPence: Number(rows[0]?.principal ?? 0), chargesPence: Number(rows[0]?.charges ?? 0) };
}

/** Σ principal paid of the invoice's counted payments in the invoice's own currency (see ledgerTotals). */
export async function netPaidPence(tx: Tx, invoice: Pick<InvoiceModel, 'id' | 'currency'>): Promise<number> {
  return (await ledgerTotals(tx, invoice)).principalPence;
}

/**
 * Locks the tenant's debtor row for the rest of the transaction, so two changes of the debtor's channels or flags
 * (a STOP reply and a preferences form at once) apply one after the other.
 */
export async function lockClient(tx: Tx, tenantId: string, clientId: string) {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM clients WHERE id = ${clientId}::uuid AND tenant_id = ${tenantId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw CollectionsError.notFound('client', 'client_id');
  return tx.client.findUniqueOrThrow({ where: { id: clientId } });
}

export async function hasOpenDispute(tx: Tx, invoiceId: string): Promise<boolean> {
  return (await tx.dispute.count({ where: { invoiceId, resolvedAt: null } })) > 0;
}

export interface Refreshed {
  before: InvoiceModel;
  invoice: InvoiceModel;
  statusChanged: boolean;
}

/**
 * Recomputes the ledger total and the derived status of a locked invoice and stores both. A status that
 * leaves collection clears the next pipeline action; one that returns to collection asks for a look now.
 */
export async function refreshInvoice(
  tx: Tx,
  before: InvoiceModel,
  now: Date,
  overrides: { cancelled?: boolean; writtenOff?: boolean; amountPence?: number; dueDate?: Date } = {},
): Promise<Refreshed> {
  const paidPence = await netPaidPence(tx, before);
  const amountPence = overrides.amountPence ?? before.amountPence;
  const dueDate = overrides.dueDate ?? before.dueDate;
  const status: InvoiceStatus = deriveInvoiceStatus(
    {
      amountPence,
      paidPence,
      dueDate,
      cancelled: overrides.cancelled ?? before.cancelledAt !== null,
      writtenOff: overrides.writtenOff ?? before.status === 'written_off',
      disputed: await hasOpenDispute(tx, before.id),
    },
    now,
  );
  const collectable = status === 'open' || status === 'overdue' || status === 'partially_paid';
  const wasCollectable = before.status === 'open' || before.status === 'overdue' || before.status === 'partially_paid';
  const nextActionAt = !collectable ? null : wasCollectable ? before.nextActionAt : now;
  if (
    paidPence === before.paidPence &&
    status === before.status &&
    nextActionAt === before.nextActionAt &&
    amountPence === before.amountPence
  ) {
    return { before, invoice: before, statusChanged: false };
  }
  const invoice = await tx.invoice.update({ where: { id: before.id }, data: { paidPence, status, nextActionAt, amountPence, dueDate } });
  return { before, invoice, statusChanged: status !== before.status };
}
