import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { ComplianceService } from './index';

/** A statement (one message listing several invoices) is one contact to the frequency limits, whatever its invoices. */
describe('ComplianceService: a statement counts as one contact (PostgreSQL)', () => {
  let t: TestDatabase;
  const monNoon = new Date('2026-11-23T12:00:00Z');
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  async function debtorWithStatement(attempts: number, statementJobId: string | null) {
    const c = await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'business', email: 'jo@example.test' } });
    const ids: string[] = [];
    for (let n = 0; n < attempts; n++) {
      const i = await t.db.invoice.create({
        data: {
          tenantId,
          clientId: c.id,
          reference: `INV-${n}-${c.id.slice(0, 6)}`,
          amountPence: 100_00,
          issueDate: new Date('2026-10-01'),
          dueDate: new Date('2026-10-31'),
          status: 'overdue',
        },
      });
      const a = await t.db.contactAttempt.create({
        data: {
          tenantId,
          clientId: c.id,
          invoiceId: i.id,
          channel: 'email',
          purpose: 'reminder',
          status: 'sent',
          statementJobId,
          createdAt: new Date('2026-11-21T09:00:00Z'),
        },
      });
      ids.push(a.id);
    }
    return { clientId: c.id, attemptIds: ids };
  }

  const capOf = (max: number) =>
    new ComplianceService({ db: t.db, clock: () => monNoon, overridesFor: () => ({ frequency: { maxContacts: max } }) });
  const codes = async (service: ComplianceService, clientId: string, contactAttemptId?: string) =>
    (await service.evaluate({ tenantId, clientId, channel: 'email', purpose: 'reminder', actor: 'test', contactAttemptId })).reasons.map(
      (r) => r.code,
    );

  it('three invoices in one statement are one contact; three separate messages are three', async () => {
    const grouped = await debtorWithStatement(3, 'stmt-test-1');
    const separate = await debtorWithStatement(3, null);
    // With a cap of 2 in 7 days: one earlier message leaves room, three do not.
    expect(await codes(capOf(2), grouped.clientId)).toEqual([]);
    expect(await codes(capOf(2), separate.clientId)).toEqual(['FREQUENCY_CAP_REACHED']);
  });

  it('the statement being sent does not count against itself through any of its invoices', async () => {
    const grouped = await debtorWithStatement(3, 'stmt-test-2');
    expect(await codes(capOf(1), grouped.clientId)).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(await codes(capOf(1), grouped.clientId, grouped.attemptIds[1])).toEqual([]);
    // Excluding a message of its own still counts the others.
    const separate = await debtorWithStatement(2, null);
    expect(await codes(capOf(1), separate.clientId, separate.attemptIds[0])).toEqual(['FREQUENCY_CAP_REACHED']);
  });
});
