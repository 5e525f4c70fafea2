import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { ComplianceService, ComplianceSubjectNotFoundError, UK_PROFILE, US_PROFILE, validateRuleSetOverrides } from './index';

/** Against real PostgreSQL: the service reads what it needs and audits every decision. */
describe('ComplianceService (PostgreSQL)', () => {
  let t: TestDatabase;
  let service: ComplianceService;
  let tenantId: string;
  let otherTenantId: string;
  const monNoon = new Date('2026-11-23T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    service = new ComplianceService({ db: t.db, clock: () => monNoon });
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
    otherTenantId = (await t.db.tenant.create({ data: { name: 'Other Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  async function debtorWithInvoice(client: Record<string, unknown> = {}, invoice: Record<string, unknown> = {}) {
    const c = await t.db.client.create({
      data: { tenantId, name: 'Jo Bloggs', kind: 'consumer', phone: '+447400123456', email: 'jo@example.test', ...client },
    });
    const i = await t.db.invoice.create({
      data: {
        tenantId,
        clientId: c.id,
        reference: `INV-${c.id.slice(0, 8)}`,
        amountPence: 240_00,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
        ...invoice,
      },
    });
    return { clientId: c.id, invoiceId: i.id };
  }

  it('audits an allowed decision with its rule-set version and context', async () => {
    const { clientId, invoiceId } = await debtorWithInvoice();
    const d = await service.evaluate({ tenantId, clientId, invoiceId, channel: 'ai_call', purpose: 'reminder', actor: 'notifier' });
    expect(d.allowed).toBe(true);
    const row = await t.db.complianceAudit.findUniqueOrThrow({ where: { id: d.auditId } });
    expect(row).toMatchObject({
      tenantId,
      clientId,
      invoiceId,
      channel: 'ai_call',
      purpose: 'reminder',
      actor: 'notifier',
      allowed: true,
      ruleSetVersion: 'uk-2026.11.21',
      reasons: [],
    });
    expect(row.evaluatedAt).toEqual(monNoon);
    expect(row.nextAllowedAt).toEqual(monNoon);
    expect(row.context).toMatchObject({
      profile: 'uk',
      recipient: 'debtor',
      debtor_zone: 'Europe/London',
      debtor_local_time: '2026-11-23T12:00:00.000+00:00',
      history_count: 0,
    });
  });

  it('audits a denial with its reasons, reading the debtor flags from the database', async () => {
    const { clientId, invoiceId } = await debtorWithInvoice({
      stoppedChannels: ['sms'],
      disputeOpenedAt: new Date('2026-11-20T10:00:00Z'),
    });
    const d = await service.evaluate({ tenantId, clientId, invoiceId, channel: 'sms', purpose: 'reminder', actor: 'collections-api' });
    expect(d.allowed).toBe(false);
    expect(d.nextAllowedAt).toBeNull();
    const row = await t.db.complianceAudit.findUniqueOrThrow({ where: { id: d.auditId } });
    expect(row.allowed).toBe(false);
    expect(row.nextAllowedAt).toBeNull();
    expect((row.reasons as Array<{ code: string }>).map((r) => r.code)).toEqual(['DEBT_DISPUTED', 'CHANNEL_STOPPED']);
  });

  it('counts recent contact attempts and bare call records, but not the attempt being checked', async () => {
    const { clientId, invoiceId } = await debtorWithInvoice();
    const earlier = await t.db.contactAttempt.create({
      data: {
        tenantId,
        clientId,
        invoiceId,
        channel: 'ai_call',
        purpose: 'reminder',
        status: 'no_answer',
        createdAt: new Date('2026-11-23T09:00:00Z'),
        sentAt: new Date('2026-11-23T09:00:00Z'),
      },
    });
    const gap = await service.evaluate({ tenantId, clientId, invoiceId, channel: 'ai_call', purpose: 'reminder', actor: 'notifier' });
    expect(gap.reasons.map((r) => r.code)).toEqual(['AUTOMATED_CALL_TOO_SOON']);
    expect(gap.nextAllowedAt).toEqual(new Date('2026-11-24T09:00:00Z'));
    const self = await service.evaluate({
      tenantId,
      clientId,
      invoiceId,
      channel: 'ai_call',
      purpose: 'reminder',
      actor: 'notifier',
      contactAttemptId: earlier.id,
    });
    expect(self.allowed).toBe(true);

    const other = await debtorWithInvoice();
    await t.db.call.create({
      data: {
        tenantId,
        clientId: other.clientId,
        invoiceId: other.invoiceId,
        kind: 'ivr',
        status: 'completed',
        answeredBy: 'machine_end_beep',
        startedAt: new Date('2026-11-23T07:00:00Z'),
      },
    });
    const machine = await service.evaluate({
      tenantId,
      clientId: other.clientId,
      invoiceId: other.invoiceId,
      channel: 'ai_call',
      purpose: 'reminder',
      actor: 'notifier',
    });
    expect(machine.reasons.map((r) => r.code)).toEqual(['AUTOMATED_CALL_TOO_SOON', 'ANSWERING_MACHINE_TODAY']);
    expect(machine.nextAllowedAt).toEqual(new Date('2026-11-24T08:00:00Z'));
  });

  it("applies the US profile to a US debtor, in the debtor's zone", async () => {
    const { clientId, invoiceId } = await debtorWithInvoice({ jurisdiction: 'us', timezone: 'America/Los_Angeles', phone: '+12025550123' });
    const d = await service.evaluate({ tenantId, clientId, invoiceId, channel: 'ai_call', purpose: 'reminder', actor: 'notifier' });
    expect(d.ruleSetVersion).toBe('us-2026.11.21');
    // Noon UTC is 04:00 in Los Angeles, and no TCPA consent is recorded.
    expect(d.reasons.map((r) => r.code)).toEqual(['ARTIFICIAL_VOICE_CONSENT_MISSING', 'OUTSIDE_CONTACT_HOURS']);
  });

  it('marks decisions made under tenant overrides with a distinct version', async () => {
    const strict = new ComplianceService({ db: t.db, clock: () => monNoon, overridesFor: () => ({ frequency: { maxContacts: 1 } }) });
    const { clientId, invoiceId } = await debtorWithInvoice();
    await t.db.contactAttempt.create({
      data: {
        tenantId,
        clientId,
        invoiceId,
        channel: 'letter',
        purpose: 'reminder',
        status: 'sent',
        createdAt: new Date('2026-11-20T09:00:00Z'),
      },
    });
    const d = await strict.evaluate({ tenantId, clientId, invoiceId, channel: 'email', purpose: 'reminder', actor: 'notifier' });
    expect(d.reasons.map((r) => r.code)).toEqual(['FREQUENCY_CAP_REACHED']);
    expect(d.ruleSetVersion).toMatch(/^uk-2026\.11\.21\+[0-9a-f]{10}$/);
  });

  it("applies the operator's stored tenant overrides by default (a Sunday call window)", async () => {
    const sundayNoon = new Date('2026-11-22T12:00:00Z');
    const service2 = new ComplianceService({ db: t.db, clock: () => sundayNoon });
    const own = (await t.db.tenant.create({ data: { name: 'Seven Days Ltd' } })).id;
    const c = await t.db.client.create({ data: { tenantId: own, name: 'Sam', kind: 'business', email: 'sam@example.test' } });
    const before = await service2.evaluate({ tenantId: own, clientId: c.id, channel: 'email', purpose: 'reminder', actor: 'test' });
    expect(before.reasons.map((r) => r.code)).toEqual(['OUTSIDE_CONTACT_HOURS']);
    const everyDay = {
      contactHours: { windows: { email: { days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '21:00', excludeBankHolidays: true } } },
    };
    await t.db.tenant.update({ where: { id: own }, data: { complianceOverrides: everyDay } });
    const fresh = new ComplianceService({ db: t.db, clock: () => sundayNoon });
    const after = await fresh.evaluate({ tenantId: own, clientId: c.id, channel: 'email', purpose: 'reminder', actor: 'test' });
    expect(after.allowed).toBe(true);
    expect(after.ruleSetVersion).toMatch(/^uk-2026\.11\.21\+[0-9a-f]{10}$/);
  });

  it('validates overrides against every profile before they are stored', () => {
    expect(validateRuleSetOverrides({ frequency: { maxContacts: 3 } }, [UK_PROFILE.rules, US_PROFILE.rules])).toEqual([]);
    expect(validateRuleSetOverrides({ frequency: { maxContacts: -1 } }, [UK_PROFILE.rules])).toEqual([
      expect.stringMatching(/^frequency\.maxContacts: /),
    ]);
    expect(validateRuleSetOverrides('nope', [UK_PROFILE.rules])).toEqual(['(root): expected an object']);
  });

  it("never reads another tenant's debtor, and writes no audit row for it", async () => {
    const { clientId } = await debtorWithInvoice();
    const before = await t.db.complianceAudit.count();
    await expect(
      service.evaluate({ tenantId: otherTenantId, clientId, channel: 'email', purpose: 'reminder', actor: 'x' }),
    ).rejects.toBeInstanceOf(ComplianceSubjectNotFoundError);
    expect(await t.db.complianceAudit.count()).toBe(before);
  });

  it('audits decisions on facts the caller supplies', async () => {
    const { clientId } = await debtorWithInvoice();
    const d = await service.evaluateFacts(
      {
        channel: 'email',
        purpose: 'reminder',
        debtor: { kind: 'business', email: 'ap@example.test', vulnerable: true },
        now: monNoon,
        history: [],
      },
      { tenantId, clientId, actor: 'ivr-negotiation' },
    );
    expect(d.reasons.map((r) => r.code)).toEqual(['VULNERABLE_ROUTE_TO_HUMAN']);
    const row = await t.db.complianceAudit.findUniqueOrThrow({ where: { id: d.auditId } });
    expect(row).toMatchObject({
      allowed: false,
      actor: 'ivr-negotiation',
      context: expect.objectContaining({ facts_supplied_by_caller: true }),
    });
  });

  it('writes one row per decision, allowed or not', async () => {
    const before = await t.db.complianceAudit.count({ where: { tenantId } });
    const { clientId, invoiceId } = await debtorWithInvoice();
    for (const channel of ['email', 'sms', 'letter', 'ai_call', 'ivr_call'] as const) {
      await service.evaluate({ tenantId, clientId, invoiceId, channel, purpose: 'reminder', actor: 'notifier' });
    }
    expect(await t.db.complianceAudit.count({ where: { tenantId } })).toBe(before + 5);
  });
});
