import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { CollectionsError, openDispute, recordCallbackRequest, type CollectionsDeps } from '../index';

describe('recordCallbackRequest (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let tenantId: string;
  const now = new Date('2026-11-30T12:00:00Z');
  const tomorrow = new Date('2026-12-01T10:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  let seq = 0;
  async function invoice() {
    const client = await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'business' } });
    return t.db.invoice.create({
      data: {
        tenantId,
        clientId: client.id,
        reference: `INV-${++seq}`,
        amountPence: 500_00,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
      },
    });
  }
  const input = (invoiceId: string) => ({
    tenantId,
    invoiceId,
    at: tomorrow,
    reason: 'wants a person',
    source: 'call',
    actor: 'voice_agent',
  });

  it("moves the invoice's next action to the time asked for, with its timeline entry", async () => {
    const inv = await invoice();
    const r = await recordCallbackRequest(deps, input(inv.id));
    expect(r.scheduled).toBe(true);
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } })).nextActionAt).toEqual(tomorrow);
    expect(await t.db.invoiceEvent.findMany({ where: { invoiceId: inv.id } })).toEqual([
      expect.objectContaining({
        type: 'callback_requested',
        actor: 'voice_agent',
        detail: expect.objectContaining({ when: tomorrow.toISOString() }),
      }),
    ]);
  });

  it('a disputed invoice is not scheduled for collection again', async () => {
    const inv = await invoice();
    await openDispute(deps, { tenantId, invoiceId: inv.id, source: 'call', actor: 'voice_agent' });
    const r = await recordCallbackRequest(deps, input(inv.id));
    expect(r).toMatchObject({ scheduled: false, invoice: { status: 'disputed', nextActionAt: null } });
  });

  it("another tenant's invoice is not found", async () => {
    const inv = await invoice();
    const other = (await t.db.tenant.create({ data: { name: 'Other Ltd' } })).id;
    const err = await recordCallbackRequest(deps, { ...input(inv.id), tenantId: other }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionsError);
    expect(err).toMatchObject({ code: 'not_found' });
  });
});
