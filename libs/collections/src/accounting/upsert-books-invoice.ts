import type { InvoiceModel, InvoiceStatus } from '@recoup/db';
import { nowOf, type CollectionsDeps, type Tx } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { deriveInvoiceStatus, isClosed, isCollectable } from '../invoice-status';
import { lockInvoice, refreshInvoice } from '../ledger';
import { booksActor, type BooksInvoiceRecord } from './books-records';

export interface UpsertBooksInvoiceInput {
  tenantId: string;
  provider: string;
  invoice: BooksInvoiceRecord;
}

export type UpsertBooksInvoiceResult =
  | { outcome: 'created' | 'linked' | 'updated'; invoice: InvoiceModel; conflicts: string[] }
  | { outcome: 'unchanged'; invoice: InvoiceModel }
  /** Drafts are not collected; a void the books made before we ever saw the invoice needs no record. */
  | { outcome: 'skipped'; reason: string }
  /** Voided in the books and still collectable here: the caller cancels it through cancelInvoice. */
  | { outcome: 'void_in_books'; invoice: InvoiceModel };

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * An invoice of the books in our ledger, by its external id (unique per tenant and provider), in one transaction with
 * its timeline entry. New: created for the contact's debtor (an invoice typed in before the connection, with the same
 * reference and no external id yet, is linked instead of duplicated). Known: applied only when the books changed it
 * since the version we hold.
 *
 * The conflict rule (README): **the books win for the invoice's facts** (amount, credit notes, dates, reference), **our
 * ledger wins for payments taken through us** (never undone by the books). When the invoice was also edited here since
 * the last sync, the books' values are applied and a `sync_conflict` entry records both sides. A void in the books of
 * an invoice paid here is not applied: it is recorded as a `sync_conflict` for a person to settle.
 */
export async function upsertBooksInvoice(deps: CollectionsDeps, input: UpsertBooksInvoiceInput): Promise<UpsertBooksInvoiceResult> {
  const { tenantId, provider, invoice: books } = input;
  if (!Number.isInteger(books.amountPence) || books.amountPence < 0)
    throw CollectionsError.invalid('amount must be whole minor units', 'amount');
  const now = nowOf(deps);
  const actor = booksActor(provider);
  let cancelled: CancelledContact[] = [];
  const result = await deps.db.$transaction(async (tx): Promise<UpsertBooksInvoiceResult> => {
    const key = { tenantId, externalProvider: provider, externalId: books.externalId };
    const known = await tx.invoice.findFirst({ where: key, select: { id: true } });
    if (!known) return create(tx, input, now, actor);
    const before = await lockInvoice(tx, tenantId, known.id);
    if (before.externalUpdatedAt && books.updatedAt <= before.externalUpdatedAt) return { outcome: 'unchanged', invoice: before };
    const changed = changedFacts(before, books);
    const ours = await editedHereSince(tx, before);
    const conflicts = ours.length > 0 ? changed.filter((f) => ours.includes(f)) : [];
    const stamp = { externalUpdatedAt: books.updatedAt, externalSyncedAt: now };
    if (books.status === 'voided') {
      if (before.status === 'cancelled' || before.status === 'written_off') {
        await tx.invoice.update({ where: { id: before.id }, data: stamp });
        return { outcome: 'unchanged', invoice: before };
      }
      if (before.status === 'paid' || before.paidPence > 0) {
        await tx.invoice.update({ where: { id: before.id }, data: stamp });
        await recordInvoiceEvent(tx, {
          tenantId,
          invoiceId: before.id,
          type: 'sync_conflict',
          actor,
          fromStatus: before.status,
          toStatus: before.status,
          detail: {
            field: 'status',
            books: 'voided',
            ours: before.status,
            paid_pence: before.paidPence,
            rule: 'payments taken here win: not voided',
          },
          at: now,
        });
        return { outcome: 'updated', invoice: before, conflicts: ['status'] };
      }
      return { outcome: 'void_in_books', invoice: before };
    }
    if (changed.length === 0 || isClosed(before.status)) {
      const invoice = await tx.invoice.update({ where: { id: before.id }, data: stamp });
      return { outcome: 'unchanged', invoice };
    }
    const facts = await tx.invoice.update({
      where: { id: before.id },
      data: { reference: books.reference, issueDate: books.issueDate, ...stamp },
    });
    const { invoice: after } = await refreshInvoice(tx, facts, now, { amountPence: books.amountPence, dueDate: books.dueDate });
    if (!isCollectable(after.status)) {
      cancelled = await cancelPendingContactsIn(
        tx,
        { tenantId, invoiceId: before.id, reason: `invoice ${after.status} after a change in the books` },
        now,
      );
    }
    await recordInvoiceEvent(tx, {
      tenantId,
      invoiceId: before.id,
      type: conflicts.length > 0 ? 'sync_conflict' : 'invoice_synced',
      actor,
      fromStatus: before.status,
      toStatus: after.status,
      detail: {
        changed,
        books: factsOf(books),
        ours: {
          reference: before.reference,
          amount_pence: before.amountPence,
          due_date: day(before.dueDate),
          issue_date: day(before.issueDate),
        },
        credited_pence: books.creditedPence,
        ...(conflicts.length > 0 ? { conflicting: conflicts, rule: 'the books win for amounts, dates and references' } : {}),
        cancelled_contacts: cancelled.length,
      },
      at: now,
    });
    return { outcome: 'updated', invoice: after, conflicts };
  });
  await removeCancelledJobs(deps, cancelled);
  return result;
}

async function create(tx: Tx, input: UpsertBooksInvoiceInput, now: Date, actor: string): Promise<UpsertBooksInvoiceResult> {
  const { tenantId, provider, invoice: books } = input;
  if (books.status === 'draft' || books.status === 'voided') return { outcome: 'skipped', reason: books.status };
  if (books.amountPence <= 0) return { outcome: 'skipped', reason: 'zero amount' };
  const client = await tx.client.findFirst({
    where: { tenantId, externalProvider: provider, externalId: books.contactExternalId },
    select: { id: true },
  });
  if (!client) throw CollectionsError.notFound(`contact ${books.contactExternalId} of the books`, 'contact_id');
  const stamp = { externalProvider: provider, externalId: books.externalId, externalUpdatedAt: books.updatedAt, externalSyncedAt: now };
  // An invoice typed in before the connection (same reference, not yet linked) becomes this one: never a duplicate.
  const typedIn = await tx.invoice.findFirst({ where: { tenantId, reference: books.reference, externalId: null }, select: { id: true } });
  if (typedIn) {
    const before = await lockInvoice(tx, tenantId, typedIn.id);
    const linked = await tx.invoice.update({ where: { id: before.id }, data: { ...stamp, issueDate: books.issueDate } });
    const { invoice } = await refreshInvoice(tx, linked, now, { amountPence: books.amountPence, dueDate: books.dueDate });
    await recordInvoiceEvent(tx, {
      tenantId,
      invoiceId: invoice.id,
      type: 'invoice_imported',
      actor,
      fromStatus: before.status,
      toStatus: invoice.status,
      detail: { linked: true, provider, external_id: books.externalId, books: factsOf(books) },
      at: now,
    });
    return { outcome: 'linked', invoice, conflicts: [] };
  }
  const status: InvoiceStatus = deriveInvoiceStatus(
    { amountPence: books.amountPence, paidPence: 0, dueDate: books.dueDate, cancelled: false, writtenOff: false, disputed: false },
    now,
  );
  const invoice = await tx.invoice.create({
    data: {
      tenantId,
      clientId: client.id,
      reference: books.reference,
      amountPence: books.amountPence,
      currency: books.currency.toUpperCase(),
      issueDate: books.issueDate,
      dueDate: books.dueDate,
      status,
      ...stamp,
    },
  });
  await recordInvoiceEvent(tx, {
    tenantId,
    invoiceId: invoice.id,
    type: 'invoice_imported',
    actor,
    toStatus: status,
    detail: { provider, external_id: books.externalId, ...factsOf(books) },
    at: now,
  });
  return { outcome: 'created', invoice, conflicts: [] };
}

function factsOf(b: BooksInvoiceRecord) {
  return {
    reference: b.reference,
    amount_pence: b.amountPence,
    currency: b.currency,
    due_date: day(b.dueDate),
    issue_date: day(b.issueDate),
  };
}

function changedFacts(ours: InvoiceModel, books: BooksInvoiceRecord): string[] {
  const changed: string[] = [];
  if (ours.amountPence !== books.amountPence) changed.push('amount');
  if (day(ours.dueDate) !== day(books.dueDate)) changed.push('due_date');
  if (day(ours.issueDate) !== day(books.issueDate)) changed.push('issue_date');
  if (ours.reference !== books.reference) changed.push('reference');
  return changed;
}

/** The facts edited here (PATCH /api/invoices) since the invoice last matched the books. */
async function editedHereSince(tx: Tx, invoice: InvoiceModel): Promise<string[]> {
  if (!invoice.externalSyncedAt) return [];
  const edits = await tx.invoiceEvent.findMany({
    where: { invoiceId: invoice.id, type: 'invoice_updated', occurredAt: { gt: invoice.externalSyncedAt } },
    select: { detail: true },
  });
  const fields = new Set<string>();
  for (const e of edits) {
    for (const k of ((e.detail as { changed?: string[] } | null)?.changed ?? []) as string[]) {
      fields.add(k === 'amountPence' ? 'amount' : k === 'dueDate' ? 'due_date' : k === 'issueDate' ? 'issue_date' : k);
    }
  }
  return [...fields];
}
