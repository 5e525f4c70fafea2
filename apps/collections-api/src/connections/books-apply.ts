import {
  applyPayment,
  booksActor,
  cancelInvoice,
  isCollectionsError,
  refundPayment,
  upsertBooksContact,
  upsertBooksInvoice,
  type CollectionsDeps,
} from '@recoup/collections';
import type { SyncSummary } from '@recoup/contracts';
import type { BooksChanges } from '@recoup/providers/accounting';
import { emptySummary } from './connection.mapper';

export interface BooksSource {
  tenantId: string;
  /** xero | quickbooks | csv | sandbox: the external ids are unique per tenant and this. */
  provider: string;
  /** The organisation / realm: payment ids are unique only within it. */
  externalTenantId: string;
}

/**
 * Applies what changed in the books to our ledger, through the collections core only: contacts, then invoices (a void
 * cancels through cancelInvoice), then payments (applyPayment at their real amount and currency: it stops the invoice's
 * queued contacts). A payment carrying `recoup:<id>` is one we wrote back, never applied a second time.
 */
export async function applyBooksChanges(
  collections: CollectionsDeps,
  source: BooksSource,
  changes: Omit<BooksChanges, 'asOf'>,
): Promise<SyncSummary> {
  const { db } = collections;
  const { tenantId, provider } = source;
  const actor = booksActor(provider);
  const summary = emptySummary();
  for (const contact of changes.contacts) {
    const r = await upsertBooksContact(collections, { tenantId, provider, contact });
    if (r.outcome === 'created' || r.outcome === 'updated') summary.contacts += 1;
  }
  for (const invoice of changes.invoices) {
    try {
      const r = await upsertBooksInvoice(collections, { tenantId, provider, invoice });
      if (r.outcome === 'created' || r.outcome === 'linked') summary.invoices_created += 1;
      else if (r.outcome === 'updated') {
        summary.invoices_updated += 1;
        summary.conflicts += r.conflicts.length > 0 ? 1 : 0;
      } else if (r.outcome === 'skipped') summary.skipped += 1;
      else if (r.outcome === 'void_in_books') {
        await cancelInvoice(collections, { tenantId, invoiceId: r.invoice.id, actor, reason: `voided in ${provider}` });
        summary.invoices_cancelled += 1;
      }
    } catch (err) {
      // A contact the books did not send (archived) or an amount we cannot read: the rest of the sync goes on.
      if (!isCollectionsError(err)) throw err;
      summary.skipped += 1;
    }
  }
  for (const payment of changes.payments) {
    if (payment.reference?.startsWith('recoup:')) continue;
    const invoice = await db.invoice.findFirst({
      where: { tenantId, externalProvider: provider, externalId: payment.invoiceExternalId },
      select: { id: true },
    });
    if (!invoice) {
      summary.skipped += 1;
      continue;
    }
    const externalId = `${provider}:${source.externalTenantId}:${payment.externalId}`;
    if (payment.deleted) {
      await refundPayment(collections, { externalId, refundedPenceTotal: payment.amountPence, tenantId, actor });
      continue;
    }
    if (payment.amountPence <= 0) continue;
    const r = await applyPayment(collections, {
      tenantId,
      invoiceId: invoice.id,
      amountPence: payment.amountPence,
      currency: payment.currency,
      method: `books:${provider}`,
      externalId,
      receivedAt: payment.receivedAt,
      actor,
      unknownInstallment: 'ignore',
    });
    if (r.outcome === 'applied' || r.outcome === 'needs_review') summary.payments_applied += 1;
  }
  return summary;
}
