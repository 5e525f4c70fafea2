import { cancelPendingContacts, openDispute } from '@recoup/collections';
import type { Channel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';

/*
 * Transitional: thin adapters onto the collections core for the callers not yet moved to it (invoices.routes.ts,
 * public/debtor-links.routes.ts, clients/clients.routes.ts, payments/payment-ledger.ts). The rules live in
 * @recoup/collections; delete this file once nothing imports it.
 */

/** @deprecated Use `cancelPendingContacts` from `@recoup/collections`. */
export async function cancelPendingJobs(
  db: Database,
  producer: JobProducer,
  invoiceId: string,
  reason: string,
  logger?: Logger,
  channels?: Channel[],
): Promise<number> {
  const invoice = await db.invoice.findUnique({ where: { id: invoiceId }, select: { tenantId: true } });
  if (!invoice) return 0;
  return cancelPendingContacts(
    { db, producer, logger },
    { tenantId: invoice.tenantId, invoiceId, reason, ...(channels ? { channels } : {}) },
  );
}

/** @deprecated Use `openDispute` from `@recoup/collections` (it records the dispute, its reference and the timeline entry). */
export async function openInvoiceDispute(
  db: Database,
  producer: JobProducer,
  invoice: Pick<InvoiceModel, 'id' | 'clientId'>,
  reason: string,
  logger?: Logger,
): Promise<InvoiceModel> {
  const { tenantId } = await db.invoice.findUniqueOrThrow({ where: { id: invoice.id }, select: { tenantId: true } });
  // The two remaining callers: the creditor's API ('invoice disputed') and the debtor's /d link ('disputed by the debtor').
  const byDebtor = reason === 'disputed by the debtor';
  const opened = await openDispute(
    { db, producer, logger },
    { tenantId, invoiceId: invoice.id, source: byDebtor ? 'debtor_link' : 'creditor', actor: byDebtor ? 'debtor_link' : 'api' },
  );
  return opened.invoice;
}
