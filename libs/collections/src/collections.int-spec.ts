import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import {
  applyPayment,
  cancelInvoice,
  chargebackPayment,
  CollectionsError,
  agreePaymentPlan,
  deriveInvoiceStatus,
  openDispute,
  recordQueuedContact,
  refundPayment,
  resolveDispute,
  claimContactForSend,
  cancelPendingContacts,
  recordContactOutcome,
  quoteInvoiceBalance,
  quoteInvoiceBalances,
  type CollectionsDeps,
} from './index';

/** The collections core against real PostgreSQL: money adds up, status follows the ledger, audit in the same transaction. */
describe('collections core (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let tenantId: string;
  let otherTenantId: string;
  const now = new Date('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
    otherTenantId = (await t.db.tenant.create({ data: { name: 'Other Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  let seq = 0;
  async function invoice(amountPence = 500_00, tenant = tenantId, currency = 'GBP') {
    const c = await t.db.client.create({ data: { tenantId: tenant, name: 'Jo Bloggs', kind: 'business', email: 'jo@example.test' } });
    return t.db.invoice.create({
      data: {
        tenantId: tenant,
        clientId: c.id,
        reference: `INV-${++seq}`,
        amountPence,
        currency,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
      },
    });
  }
  const pay = (inv: { id: string; tenantId: string }, amountPence: number, extra: Record<string, unknown> = {}) =>
    applyPayment(deps, {
      tenantId: inv.tenantId,
      invoiceId: inv.id,
      amountPence,
      currency: 'GBP',
      method: 'stripe',
      externalId: `pi_${Math.random().toString(36).slice(2)}`,
      receivedAt: now,
      actor: 'stripe',
      ...extra,
    });

  it('1p pays 1p: partially_paid with a balance of £499.99, and the timeline says so', async () => {
    const inv = await invoice();
    const r = await pay(inv, 1);
    expect(r.outcome).toBe('applied');
    if (r.outcome !== 'applied') return;
    expect(r.invoice).toMatchObject({ status: 'partially_paid', paidPence: 1 });
    expect(r.invoice.amountPence - r.invoice.paidPence).toBe(499_99);
    const events = await t.db.invoiceEvent.findMany({ where: { invoiceId: inv.id } });
    expect(events).toEqual([
      expect.objectContaining({ type: 'payment_applied', fromStatus: 'overdue', toStatus: 'partially_paid', actor: 'stripe' }),
    ]);
  });

  it('50,000 JPY on a £500 invoice is needs_review and changes nothing', async () => {
    const inv = await invoice();
    const r = await pay(inv, 50_000, { currency: 'jpy' });
    expect(r.outcome).toBe('needs_review');
    const after = await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
    expect(after).toMatchObject({ status: 'overdue', paidPence: 0 });
    expect(await t.db.payment.findFirstOrThrow({ where: { invoiceId: inv.id } })).toMatchObject({
      status: 'needs_review',
      currency: 'JPY',
    });
    expect(await t.db.invoiceEvent.count({ where: { invoiceId: inv.id, type: 'payment_needs_review' } })).toBe(1);
  });

  it('a second payment on a paid invoice is recorded as credit, never double-counted', async () => {
    const inv = await invoice();
    await pay(inv, 500_00);
    const second = await pay(inv, 1);
    expect(second.outcome).toBe('applied');
    if (second.outcome !== 'applied') return;
    expect(second.invoice).toMatchObject({ status: 'paid', paidPence: 500_01 });
    expect(second.creditPence).toBe(1);
  });

  it('the same external id applies once, also when delivered concurrently', async () => {
    const inv = await invoice();
    const results = await Promise.all(Array.from({ length: 8 }, () => pay(inv, 100_00, { externalId: 'pi_dup' })));
    expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(1);
    expect(await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } })).toMatchObject({ paidPence: 100_00 });
  });

  it("another tenant's instalment id is not found; a webhook's is ignored (money applied, instalment untouched)", async () => {
    const mine = await invoice(300_00);
    const theirs = await invoice(300_00, otherTenantId);
    const plan = await agreePaymentPlan(deps, {
      tenantId: otherTenantId,
      invoiceId: theirs.id,
      installments: [{ dueDate: new Date('2026-12-15'), amountPence: 300_00 }],
      frequency: 'monthly',
      status: 'active',
      source: 'api',
      actor: 'test',
    });
    const inst = plan.plan.installments[0]!;
    await expect(pay(mine, 300_00, { installmentId: inst.id })).rejects.toMatchObject({ code: 'not_found', field: 'installment_id' });
    const r = await pay(mine, 300_00, { installmentId: inst.id, unknownInstallment: 'ignore' });
    expect(r.outcome).toBe('applied');
    expect(await t.db.paymentPlanInstallment.findUniqueOrThrow({ where: { id: inst.id } })).toMatchObject({ status: 'due' });
  });

  it('an instalment is paid only by its own amount; a refund reopens only it', async () => {
    const inv = await invoice(200_00);
    const { plan } = await agreePaymentPlan(deps, {
      tenantId,
      invoiceId: inv.id,
      installments: [
        { dueDate: new Date('2026-12-15'), amountPence: 100_00 },
        { dueDate: new Date('2027-01-15'), amountPence: 100_00 },
      ],
      frequency: 'monthly',
      status: 'active',
      source: 'api',
      actor: 'test',
    });
    const [first] = [...plan.installments].sort((a, b) => a.sequence - b.sequence);
    await pay(inv, 1, { installmentId: first!.id });
    expect(await t.db.paymentPlanInstallment.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: 'due' });
    await pay(inv, 100_00, { installmentId: first!.id, externalId: 'pi_inst' });
    expect(await t.db.paymentPlanInstallment.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: 'paid' });
    await expect(
      refundPayment(deps, { externalId: 'pi_inst', refundedPenceTotal: 100_00, tenantId: otherTenantId, actor: 'stripe' }),
    ).resolves.toEqual({
      outcome: 'unknown_payment',
    });
    const r = await refundPayment(deps, { externalId: 'pi_inst', refundedPenceTotal: 100_00, tenantId, actor: 'stripe' });
    expect(r).toMatchObject({ outcome: 'applied', invoice: { paidPence: 1, status: 'partially_paid' } });
    expect(await t.db.paymentPlanInstallment.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: 'due' });
  });

  it('a payment link is settled only by its own amount and currency', async () => {
    const inv = await invoice(120_00);
    await t.db.paymentLink.create({
      data: { tenantId, invoiceId: inv.id, provider: 'stripe', externalId: 'cs_1', url: 'https://x', amountPence: 120_00, currency: 'GBP' },
    });
    await pay(inv, 1, { paymentLinkExternalId: 'cs_1' });
    expect(await t.db.paymentLink.findUniqueOrThrow({ where: { externalId: 'cs_1' } })).toMatchObject({ status: 'open' });
    await pay(inv, 120_00, { paymentLinkExternalId: 'cs_1' });
    expect(await t.db.paymentLink.findUniqueOrThrow({ where: { externalId: 'cs_1' } })).toMatchObject({ status: 'paid' });
  });

  it('a dispute stops collection: random reference, queued contacts cancelled, status derived back on resolution', async () => {
    const inv = await invoice();
    const attempt = await recordQueuedContact(t.db, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      channel: 'email',
      purpose: 'reminder',
      jobId: `job-${inv.id}`,
    });
    const d = await openDispute(deps, { tenantId, invoiceId: inv.id, source: 'debtor_link', actor: 'debtor_link' });
    expect(d.dispute.reference).toMatch(/^DSP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(d.invoice).toMatchObject({ status: 'disputed', nextActionAt: null });
    expect(await t.db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).toMatchObject({ status: 'cancelled' });
    expect((await t.db.client.findUniqueOrThrow({ where: { id: inv.clientId } })).disputeOpenedAt).toEqual(now);
    const again = await openDispute(deps, { tenantId, invoiceId: inv.id, source: 'call', actor: 'voice_agent' });
    expect(again).toMatchObject({ created: false, dispute: { id: d.dispute.id } });
    const resolved = await resolveDispute(deps, { tenantId, invoiceId: inv.id, actor: 'api' });
    expect(resolved.status).toBe('overdue');
    expect(
      await t.db.invoiceEvent.findMany({ where: { invoiceId: inv.id }, orderBy: { occurredAt: 'asc' }, select: { type: true } }),
    ).toEqual([{ type: 'dispute_opened' }, { type: 'dispute_resolved' }]);
  });

  it("another tenant's invoice is not found for every use case", async () => {
    const inv = await invoice();
    await expect(pay({ id: inv.id, tenantId: otherTenantId }, 1)).rejects.toBeInstanceOf(CollectionsError);
    await expect(openDispute(deps, { tenantId: otherTenantId, invoiceId: inv.id, source: 'creditor', actor: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(cancelInvoice(deps, { tenantId: otherTenantId, invoiceId: inv.id, actor: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a claimed (sending) contact is not cancelled by a racing payment: it ends sent, and the payment still applies', async () => {
    const inv = await invoice();
    const attempt = await recordQueuedContact(t.db, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      channel: 'sms',
      purpose: 'reminder',
      jobId: `job-race-${inv.id}`,
    });
    expect(await claimContactForSend(t.db, attempt.id)).toBe(true);
    const r = await pay(inv, 500_00);
    expect(r.outcome).toBe('applied');
    await recordContactOutcome(t.db, attempt.id, { status: 'sent', sentAt: now }, ['sending']);
    expect(await t.db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).toMatchObject({ status: 'sent' });
    const cancelledFirst = await recordQueuedContact(t.db, {
      tenantId,
      clientId: inv.clientId,
      invoiceId: inv.id,
      channel: 'sms',
      purpose: 'reminder',
      jobId: `job-race2-${inv.id}`,
    });
    expect(await cancelPendingContacts(deps, { tenantId, invoiceId: inv.id, reason: 'test' })).toBe(1);
    expect(await claimContactForSend(t.db, cancelledFirst.id)).toBe(false);
  });

  it('a chargeback owes the invoice again, once', async () => {
    const inv = await invoice(100_00);
    await pay(inv, 100_00, { externalId: 'pi_cb' });
    const first = await chargebackPayment(deps, { externalId: 'pi_cb', actor: 'stripe' });
    expect(first).toMatchObject({ outcome: 'applied', invoice: { status: 'overdue', paidPence: 0 } });
    expect(await chargebackPayment(deps, { externalId: 'pi_cb', actor: 'stripe' })).toEqual({ outcome: 'unchanged' });
  });

  it('claimed late-payment charges: paying the quoted total pays principal and charges, with no credit; the quote then is 0', async () => {
    const claiming = (await t.db.tenant.create({ data: { name: 'Claims Ltd', claimsLatePaymentCharges: true } })).id;
    const inv = await invoice(500_00, claiming);
    const quote = await quoteInvoiceBalance(t.db, inv, now);
    expect(quote.principalPence).toBe(500_00);
    expect(quote.compensationPence).toBe(40_00);
    expect(quote.interestPence).toBeGreaterThan(0);
    expect(quote.totalPence).toBe(500_00 + 40_00 + quote.interestPence);
    const r = await pay({ id: inv.id, tenantId: claiming }, quote.totalPence);
    expect(r.outcome).toBe('applied');
    if (r.outcome !== 'applied') return;
    expect(r.invoice).toMatchObject({ status: 'paid', paidPence: 500_00 });
    expect(r.creditPence).toBe(0);
    expect(r.payment.chargesPence).toBe(quote.totalPence - 500_00);
    expect(await quoteInvoiceBalance(t.db, r.invoice, now)).toMatchObject({ totalPence: 0, interestPence: 0, compensationPence: 0 });
    // The batch quote (the notifier's) gives the same figures, charges already paid included.
    const before = await invoice(300_00, claiming);
    expect(
      await quoteInvoiceBalances(t.db, [
        { invoice: r.invoice, now },
        { invoice: before, now },
      ]),
    ).toEqual([await quoteInvoiceBalance(t.db, r.invoice, now), await quoteInvoiceBalance(t.db, before, now)]);
    // A consumer debt never carries them, whatever the tenant claims.
    const consumer = await t.db.client.create({ data: { tenantId: claiming, name: 'Sam', kind: 'consumer' } });
    const own = await t.db.invoice.update({ where: { id: (await invoice(100_00, claiming)).id }, data: { clientId: consumer.id } });
    expect((await quoteInvoiceBalance(t.db, own, now)).totalPence).toBe(100_00);
  });

  it('property: amount_paid = Σ payments − refunds in the invoice currency, and status = f(ledger, dispute)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('pay' as const), pence: fc.integer({ min: 1, max: 300_00 }), gbp: fc.boolean() }),
            fc.record({ kind: fc.constant('refund' as const), index: fc.nat(), pence: fc.integer({ min: 1, max: 300_00 }) }),
            fc.record({ kind: fc.constant('dispute' as const) }),
            fc.record({ kind: fc.constant('resolve' as const) }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        async (ops) => {
          const inv = await invoice(400_00);
          const paid: Array<{ id: string; pence: number; refunded: number; gbp: boolean }> = [];
          let disputed = false;
          for (const op of ops) {
            if (op.kind === 'pay') {
              const id = `pi_prop_${++seq}`;
              await pay(inv, op.pence, { externalId: id, currency: op.gbp ? 'GBP' : 'EUR' });
              paid.push({ id, pence: op.pence, refunded: 0, gbp: op.gbp });
            } else if (op.kind === 'refund' && paid.length > 0) {
              const p = paid[op.index % paid.length]!;
              const total = Math.min(p.pence, p.refunded + op.pence);
              await refundPayment(deps, { externalId: p.id, refundedPenceTotal: total, actor: 'test' });
              if (p.gbp) p.refunded = total;
            } else if (op.kind === 'dispute') {
              const before = await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
              if (before.status !== 'paid') {
                await openDispute(deps, { tenantId, invoiceId: inv.id, source: 'creditor', actor: 'test' });
                disputed = true;
              }
            } else if (op.kind === 'resolve' && disputed) {
              await resolveDispute(deps, { tenantId, invoiceId: inv.id, actor: 'test' });
              disputed = false;
            }
          }
          const after = await t.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
          const expected = paid.filter((p) => p.gbp).reduce((a, p) => a + p.pence - p.refunded, 0);
          expect(after.paidPence).toBe(expected);
          expect(after.status).toBe(
            deriveInvoiceStatus(
              { amountPence: 400_00, paidPence: expected, dueDate: inv.dueDate, cancelled: false, writtenOff: false, disputed },
              now,
            ),
          );
        },
      ),
      { numRuns: 40 },
    );
    // 40 sequences of real transactions: about 15 s on a loaded machine, more under CI's stress run. A time limit is
    // no part of what this asserts.
  }, 180_000);
});
