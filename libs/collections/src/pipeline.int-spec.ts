import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import type { InvoiceStatus } from '@recoup/db';
import { markOverdueInvoices, openDispute, recordCollectionContact, recordPipelineStep, type CollectionsDeps } from './index';

/** The automatic pipeline's writes, through the core, against real PostgreSQL. */
describe('collections core: the pipeline (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let tenantId: string;
  const now = new Date('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  let seq = 0;
  async function invoice(status: InvoiceStatus = 'overdue', dueDate = new Date('2026-10-31')) {
    const c = await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'business', email: 'jo@example.test' } });
    return t.db.invoice.create({
      data: {
        tenantId,
        clientId: c.id,
        reference: `PIPE-${++seq}`,
        amountPence: 100_00,
        issueDate: new Date('2026-10-01'),
        dueDate,
        status,
      },
    });
  }
  const events = (invoiceId: string) => t.db.invoiceEvent.findMany({ where: { invoiceId }, orderBy: { occurredAt: 'asc' } });
  const contact = (inv: { id: string; clientId: string }, jobId: string) =>
    recordCollectionContact(deps, { tenantId, clientId: inv.clientId, invoiceId: inv.id, channel: 'email', purpose: 'reminder', jobId });

  it('raises the stage with one timeline entry; "look again tomorrow" moves only nextActionAt and leaves no entry', async () => {
    const inv = await invoice();
    const next = new Date('2026-12-07T12:00:00Z');
    const r = await recordPipelineStep(deps, {
      tenantId,
      invoiceId: inv.id,
      reachedStage: 2,
      lastActionAt: now,
      nextActionAt: next,
      actor: 'pipeline',
    });
    expect(r).toMatchObject({
      outcome: 'recorded',
      stageChanged: true,
      invoice: { collectionStage: 2, lastActionAt: now, nextActionAt: next },
    });
    expect(await events(inv.id)).toEqual([
      expect.objectContaining({ type: 'collection_stage_changed', actor: 'pipeline', detail: { from_stage: 0, to_stage: 2 } }),
    ]);

    const tomorrow = new Date('2026-12-01T12:00:00Z');
    const again = await recordPipelineStep(deps, { tenantId, invoiceId: inv.id, nextActionAt: tomorrow, actor: 'pipeline' });
    expect(again).toMatchObject({
      outcome: 'recorded',
      stageChanged: false,
      invoice: { collectionStage: 2, nextActionAt: tomorrow, lastActionAt: now },
    });
    // A lower level (a manual friendly reminder) never lowers the stage.
    await recordPipelineStep(deps, { tenantId, invoiceId: inv.id, reachedStage: 1, actor: 'api' });
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } })).collectionStage).toBe(2);
    expect(await events(inv.id)).toHaveLength(1);
  });

  it('stores an open invoice past due as overdue on the way, and leaves paid, disputed and cancelled invoices alone', async () => {
    const open = await invoice('open');
    await recordPipelineStep(deps, { tenantId, invoiceId: open.id, nextActionAt: null, actor: 'pipeline' });
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: open.id } })).status).toBe('overdue');
    expect(await events(open.id)).toEqual([expect.objectContaining({ type: 'invoice_overdue', fromStatus: 'open', toStatus: 'overdue' })]);

    for (const status of ['paid', 'disputed', 'cancelled', 'written_off'] as const) {
      const inv = await invoice(status);
      const r = await recordPipelineStep(deps, { tenantId, invoiceId: inv.id, reachedStage: 3, nextActionAt: now, actor: 'pipeline' });
      expect(r).toEqual({ outcome: 'not_collectable', status });
      expect(await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } })).toMatchObject({ collectionStage: 0, nextActionAt: null });
    }
  });

  it('marks every open invoice past its London due date overdue, each with its timeline entry', async () => {
    const late = await invoice('open', new Date('2026-11-29'));
    const today = await invoice('open', new Date('2026-11-30'));
    expect(await markOverdueInvoices(deps, { actor: 'pipeline' })).toBeGreaterThanOrEqual(1);
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: late.id } })).status).toBe('overdue');
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: today.id } })).status).toBe('open');
    expect(await events(late.id)).toEqual([expect.objectContaining({ type: 'invoice_overdue', actor: 'pipeline', toStatus: 'overdue' })]);
    expect(await markOverdueInvoices(deps, { actor: 'pipeline' })).toBe(0);
  });

  it('queues no contact for a paid, disputed, cancelled or written-off invoice; the same job id records one row', async () => {
    for (const status of ['paid', 'disputed', 'cancelled', 'written_off'] as const) {
      const inv = await invoice(status);
      expect(await contact(inv, `job-${inv.id}`)).toEqual({ outcome: 'not_collectable', status });
      expect(await t.db.contactAttempt.count({ where: { invoiceId: inv.id } })).toBe(0);
    }
    const inv = await invoice();
    const first = await contact(inv, `job-${inv.id}`);
    const second = await contact(inv, `job-${inv.id}`);
    expect(first).toMatchObject({ outcome: 'recorded', attempt: { status: 'queued', invoiceId: inv.id } });
    expect(second.outcome === 'recorded' && first.outcome === 'recorded' && second.attempt.id === first.attempt.id).toBe(true);
  });

  it('a dispute racing a queued contact: either the contact is refused or it ends cancelled, never left queued', async () => {
    for (let i = 0; i < 10; i++) {
      const inv = await invoice();
      await Promise.all([
        contact(inv, `race-${inv.id}`),
        openDispute(deps, { tenantId, invoiceId: inv.id, source: 'creditor', actor: 'api' }),
      ]);
      expect(await t.db.contactAttempt.count({ where: { invoiceId: inv.id, status: 'queued' } })).toBe(0);
    }
  });
});
