import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { applyPayment, eraseDebtor, updateInvoice, upsertBooksContact, upsertBooksInvoice, type CollectionsDeps } from '../index';
import type { BooksInvoiceRecord } from './books-records';

describe('the accounting sync use cases (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let now = new Date('2026-11-30T12:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
  });
  afterAll(async () => t?.drop());

  const at = (iso: string) => new Date(`${iso}T00:00:00Z`);
  async function tenantWithContact() {
    const tenant = await t.db.tenant.create({ data: { name: 'Books Ltd' } });
    const contact = { externalId: 'C-1', name: 'Acme Ltd', email: 'ap@acme.example', phone: null, kind: 'business' as const };
    const created = await upsertBooksContact(deps, { tenantId: tenant.id, provider: 'xero', contact });
    return { tenantId: tenant.id, clientId: created.client.id, contact };
  }
  const books = (over: Partial<BooksInvoiceRecord> = {}): BooksInvoiceRecord => ({
    externalId: 'I-1',
    contactExternalId: 'C-1',
    reference: 'INV-1',
    amountPence: 100_000,
    currency: 'GBP',
    issueDate: at('2026-10-01'),
    dueDate: at('2026-10-31'),
    status: 'open',
    creditedPence: 0,
    updatedAt: new Date('2026-11-01T10:00:00Z'),
    ...over,
  });

  it('imports once, skips an older or equal version, applies a newer one; the books win over an edit here and the conflict is recorded', async () => {
    const { tenantId } = await tenantWithContact();
    const first = await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: books() });
    expect(first).toMatchObject({ outcome: 'created', invoice: { status: 'overdue', amountPence: 100_000 } });
    expect((await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: books({ amountPence: 1 }) })).outcome).toBe('unchanged');
    if (first.outcome !== 'created') throw new Error('not created');
    now = new Date('2026-11-30T13:00:00Z');
    await updateInvoice(deps, { tenantId, invoiceId: first.invoice.id, amountPence: 80_000, actor: 'api:test' });
    now = new Date('2026-11-30T14:00:00Z');
    const later = books({
      amountPence: 90_000,
      creditedPence: 10_000,
      dueDate: at('2026-12-15'),
      updatedAt: new Date('2026-11-30T13:30:00Z'),
    });
    const r = await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: later });
    expect(r).toMatchObject({ outcome: 'updated', conflicts: ['amount'], invoice: { amountPence: 90_000, status: 'open' } });
    const events = await t.db.invoiceEvent.findMany({ where: { invoiceId: first.invoice.id }, orderBy: { occurredAt: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['invoice_imported', 'invoice_updated', 'sync_conflict']);
    expect(events[2]).toMatchObject({
      actor: 'accounting:xero',
      detail: expect.objectContaining({
        conflicting: ['amount'],
        ours: expect.objectContaining({ amount_pence: 80_000 }),
        credited_pence: 10_000,
      }),
    });
  });

  it('links an invoice typed in before the connection instead of duplicating it', async () => {
    const { tenantId, clientId } = await tenantWithContact();
    await t.db.invoice.create({
      data: {
        tenantId,
        clientId,
        reference: 'INV-1',
        amountPence: 100_000,
        issueDate: at('2026-10-01'),
        dueDate: at('2026-10-31'),
        status: 'overdue',
      },
    });
    expect((await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: books() })).outcome).toBe('linked');
    expect(await t.db.invoice.count({ where: { tenantId } })).toBe(1);
    expect((await t.db.invoice.findFirstOrThrow({ where: { tenantId } })).externalId).toBe('I-1');
  });

  it('a void in the books of an invoice paid here is not applied: payments taken here win, and the conflict is recorded', async () => {
    const { tenantId } = await tenantWithContact();
    const r = await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: books() });
    if (r.outcome !== 'created') throw new Error('not created');
    await applyPayment(deps, {
      tenantId,
      invoiceId: r.invoice.id,
      amountPence: 100_000,
      currency: 'GBP',
      method: 'stripe',
      externalId: `pi_${tenantId}`,
      receivedAt: now,
      actor: 'stripe',
    });
    const voided = await upsertBooksInvoice(deps, {
      tenantId,
      provider: 'xero',
      invoice: books({ status: 'voided', updatedAt: new Date('2026-11-30T15:00:00Z') }),
    });
    expect(voided).toMatchObject({ outcome: 'updated', conflicts: ['status'], invoice: { status: 'paid' } });
    expect(await t.db.invoiceEvent.findFirst({ where: { invoiceId: r.invoice.id, type: 'sync_conflict' } })).toMatchObject({
      detail: expect.objectContaining({ books: 'voided', ours: 'paid' }),
    });
    // An unpaid one is handed back for cancelInvoice; a draft or a void never seen before is not imported.
    const other = await upsertBooksInvoice(deps, { tenantId, provider: 'xero', invoice: books({ externalId: 'I-2', reference: 'INV-2' }) });
    expect(other.outcome).toBe('created');
    const gone = await upsertBooksInvoice(deps, {
      tenantId,
      provider: 'xero',
      invoice: books({ externalId: 'I-2', reference: 'INV-2', status: 'voided', updatedAt: new Date('2026-11-30T16:00:00Z') }),
    });
    expect(gone.outcome).toBe('void_in_books');
    expect(
      (
        await upsertBooksInvoice(deps, {
          tenantId,
          provider: 'xero',
          invoice: books({ externalId: 'I-3', reference: 'INV-3', status: 'draft' }),
        })
      ).outcome,
    ).toBe('skipped');
  });

  it('never refills an erased debtor from the books', async () => {
    const { tenantId, clientId, contact } = await tenantWithContact();
    await eraseDebtor(deps, { tenantId, clientId, actor: 'admin', reason: 'asked' });
    const again = await upsertBooksContact(deps, {
      tenantId,
      provider: 'xero',
      contact: { ...contact, name: 'Acme Ltd', email: 'new@acme.example' },
    });
    expect(again.outcome).toBe('erased');
    expect((await t.db.client.findUniqueOrThrow({ where: { id: clientId } })).email).toBeNull();
  });
});
