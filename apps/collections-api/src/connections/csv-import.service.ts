import type { CollectionsDeps } from '@recoup/collections';
import type { CsvImportRequest, CsvImportResponse } from '@recoup/contracts';
import type { Prisma } from '@recoup/db';
import { DEFAULT_CSV_MAPPING, readInvoiceCsv, type BooksInvoice } from '@recoup/providers/accounting';
import { applyBooksChanges } from './books-apply';

const day = (d: Date) => d.toISOString().slice(0, 10);
type Row = CsvImportResponse['rows'][number];

/**
 * A CSV export imported like a sync from the books (provider `csv`: external ids unique per tenant; an invoice typed in
 * with the same reference is linked, never duplicated). The dry run reads the file and the ledger and reports, row by
 * row, what would be created, updated (field: from → to), cancelled or skipped, and changes nothing.
 */
export async function importInvoiceCsv(
  collections: CollectionsDeps,
  tenantId: string,
  body: CsvImportRequest,
  now: Date,
): Promise<CsvImportResponse> {
  const { db } = collections;
  const mapping = { ...DEFAULT_CSV_MAPPING, ...(body.mapping ?? {}) };
  const read = readInvoiceCsv(body.csv, mapping, now);
  const rows: Row[] = [];
  for (const [i, inv] of read.invoices.entries()) rows.push(await plan(collections, tenantId, inv, read.invoiceLines[i] ?? 0));
  const knownContacts = await db.client.findMany({
    where: { tenantId, externalProvider: 'csv', externalId: { in: read.contacts.map((c) => c.externalId) } },
    select: { externalId: true },
  });
  const count = (a: Row['action']) => rows.filter((r) => r.action === a).length;
  const response: CsvImportResponse = {
    dry_run: body.dry_run,
    summary: {
      create: count('create'),
      update: count('update'),
      unchanged: count('unchanged'),
      cancel: count('cancel'),
      skip: count('skip'),
      new_contacts: read.contacts.length - knownContacts.length,
      errors: read.errors.length,
    },
    rows,
    errors: read.errors,
  };
  if (body.dry_run) return response;
  const summary = await applyBooksChanges(
    collections,
    { tenantId, provider: 'csv', externalTenantId: 'csv' },
    { contacts: read.contacts, invoices: read.invoices, payments: [] },
  );
  const existing = await db.accountingConnection.findFirst({ where: { tenantId, provider: 'csv' } });
  const data = {
    status: 'active',
    lastSyncAt: now,
    lastSyncSummary: summary as unknown as Prisma.InputJsonValue,
    externalTenantId: 'csv',
    externalTenantName: 'CSV import',
  };
  if (existing) await db.accountingConnection.update({ where: { id: existing.id }, data });
  else await db.accountingConnection.create({ data: { tenantId, provider: 'csv', ...data } });
  return response;
}

async function plan(collections: CollectionsDeps, tenantId: string, inv: BooksInvoice, line: number): Promise<Row> {
  const row = (action: Row['action'], changes: Row['changes'] = {}): Row => ({ line, reference: inv.reference, action, changes });
  const ours =
    (await collections.db.invoice.findFirst({ where: { tenantId, externalProvider: 'csv', externalId: inv.externalId } })) ??
    (await collections.db.invoice.findFirst({ where: { tenantId, reference: inv.reference, externalId: null } }));
  if (!ours) return row(inv.status === 'voided' || inv.status === 'paid' ? 'skip' : 'create');
  if (inv.status === 'voided') return row(['cancelled', 'written_off'].includes(ours.status) ? 'unchanged' : 'cancel');
  const changes: Row['changes'] = {};
  if (ours.amountPence !== inv.amountPence) changes.amount_pence = { from: ours.amountPence, to: inv.amountPence };
  if (day(ours.dueDate) !== day(inv.dueDate)) changes.due_date = { from: day(ours.dueDate), to: day(inv.dueDate) };
  if (day(ours.issueDate) !== day(inv.issueDate)) changes.issue_date = { from: day(ours.issueDate), to: day(inv.issueDate) };
  if (ours.reference !== inv.reference) changes.reference = { from: ours.reference, to: inv.reference };
  if (!ours.externalId) changes.linked = { from: null, to: inv.externalId };
  return row(Object.keys(changes).length > 0 ? 'update' : 'unchanged', changes);
}
