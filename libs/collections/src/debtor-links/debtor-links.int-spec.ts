import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import {
  hashDebtorLinkToken,
  mintDebtorLinkToken,
  recordQueuedContact,
  resolveDebtorLinkToken,
  revokeDebtorLinks,
  updateContactPreferences,
  type CollectionsDeps,
} from '../index';

/** Debtor link tokens and the preferences use case against real PostgreSQL. */
describe('debtor links (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let tenantId: string;
  const now = new Date('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd', claimsLatePaymentCharges: true } })).id;
  });
  afterAll(async () => t?.drop());

  let seq = 0;
  async function invoice(stoppedChannels: Array<'email' | 'sms' | 'ai_call' | 'ivr_call' | 'letter'> = []) {
    const c = await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'business', stoppedChannels } });
    return t.db.invoice.create({
      data: {
        tenantId,
        clientId: c.id,
        reference: `INV-${++seq}`,
        amountPence: 500_00,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
      },
    });
  }

  it('mints an opaque 128-bit token, stores only its hash, and resolves it to the invoice, its debtor and tenant', async () => {
    const inv = await invoice();
    const minted = await mintDebtorLinkToken(t.db, { tenantId, invoiceId: inv.id, now });
    expect(minted.token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(minted.token).not.toContain(inv.id.replace(/-/g, '').slice(0, 8));
    expect(minted.expiresAt.toISOString()).toBe('2027-02-28T12:00:00.000Z'); // 90 days
    const rows = await t.db.debtorLinkToken.findMany({ where: { invoiceId: inv.id } });
    expect(rows).toEqual([expect.objectContaining({ tokenHash: hashDebtorLinkToken(minted.token), lastUsedAt: null })]);
    expect(JSON.stringify(rows)).not.toContain(minted.token);

    const resolved = await resolveDebtorLinkToken(t.db, minted.token, now);
    expect(resolved).toMatchObject({
      invoice: { id: inv.id },
      client: { id: inv.clientId },
      tenant: { id: tenantId, claimsLatePaymentCharges: true },
    });
    expect((await t.db.debtorLinkToken.findUniqueOrThrow({ where: { id: minted.id } })).lastUsedAt).toEqual(now);
  });

  it('gives a different token every time, even for the same invoice and message', async () => {
    const inv = await invoice();
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await mintDebtorLinkToken(t.db, { tenantId, invoiceId: inv.id })).token);
    expect(tokens.size).toBe(20);
  });

  it('answers null for unknown, malformed, expired and revoked tokens', async () => {
    const inv = await invoice();
    const short = await mintDebtorLinkToken(t.db, { tenantId, invoiceId: inv.id, ttlDays: 1, now });
    expect(await resolveDebtorLinkToken(t.db, short.token, new Date(now.getTime() + 2 * 86_400_000))).toBeNull();
    expect(await resolveDebtorLinkToken(t.db, 'A'.repeat(22))).toBeNull();
    expect(await resolveDebtorLinkToken(t.db, inv.id.replace(/-/g, '').slice(0, 12))).toBeNull();
    expect(await resolveDebtorLinkToken(t.db, `${short.token}/../x`)).toBeNull();

    const live = await mintDebtorLinkToken(t.db, { tenantId, invoiceId: inv.id, now });
    expect(await resolveDebtorLinkToken(t.db, live.token, now)).not.toBeNull();
    expect(await revokeDebtorLinks(t.db, { tenantId, invoiceId: inv.id, now })).toBe(2);
    expect(await resolveDebtorLinkToken(t.db, live.token, now)).toBeNull();
  });

  it('preferences: changes only what the debtor ticked or unticked, cancels queued contacts on stopped channels, audits', async () => {
    // ai_call stopped on a call, ivr_call not: the page shows "phone calls" unticked, and leaving it so keeps ai_call stopped.
    const inv = await invoice(['ai_call', 'letter']);
    const sms = await recordQueuedContact(t.db, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      channel: 'sms',
      purpose: 'collection',
      jobId: `job-${inv.id}-sms`,
    });
    const r = await updateContactPreferences(deps, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      stop: ['sms'],
      resume: ['letter'],
      preferredChannel: 'email',
      actor: 'debtor_link',
    });
    expect(r).toMatchObject({ stoppedChannels: ['ai_call', 'sms'], preferredChannel: 'email', changed: true, cancelledContacts: 1 });
    expect((await t.db.contactAttempt.findUniqueOrThrow({ where: { id: sms.id } })).status).toBe('cancelled');
    const events = await t.db.invoiceEvent.findMany({ where: { invoiceId: inv.id, type: 'contact_preferences_changed' } });
    expect(events).toEqual([
      expect.objectContaining({
        actor: 'debtor_link',
        detail: expect.objectContaining({ stopped: ['sms'], resumed: ['letter'], preferred_channel: { from: null, to: 'email' } }),
      }),
    ]);

    const again = await updateContactPreferences(deps, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      stop: [],
      resume: [],
      actor: 'debtor_link',
    });
    expect(again).toMatchObject({ stoppedChannels: ['ai_call', 'sms'], preferredChannel: 'email', changed: false });
    expect(await t.db.invoiceEvent.count({ where: { invoiceId: inv.id, type: 'contact_preferences_changed' } })).toBe(1);
  });
});
