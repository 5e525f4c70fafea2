import { quoteBalance, recordQueuedContact, resolveDebtorLinkToken } from '@recoup/collections';
import { renderTemplate } from '@recoup/templates';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { messageVariables, type ClientRow, type InvoiceRow, type TenantRow } from './message-variables';

/** What a message quotes and links to, against real PostgreSQL. */
describe('message variables: one token per message, one balance', () => {
  let t: TestDatabase;
  const now = new Date('2026-11-30T12:00:00Z');
  const linkBaseUrl = 'https://pay.recoup.example';

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  let seq = 0;
  async function subject(claimsLatePaymentCharges: boolean) {
    const tenant = await t.db.tenant.create({ data: { name: 'Acme Ltd', email: 'accounts@acme.example', claimsLatePaymentCharges } });
    const client = await t.db.client.create({
      data: { tenantId: tenant.id, name: 'Debtor Ltd', kind: 'business', email: 'ap@debtor.example', phone: '+447700900123' },
    });
    const invoice = await t.db.invoice.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        reference: `INV-${++seq}`,
        amountPence: 500_00,
        paidPence: 0,
        issueDate: new Date('2026-09-01'),
        dueDate: new Date('2026-10-01'),
        status: 'overdue',
      },
    });
    const attempt = await recordQueuedContact(t.db, {
      tenantId: tenant.id,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: 'sms',
      purpose: 'reminder',
      jobId: `job-${invoice.id}`,
    });
    return {
      tenant: tenant as TenantRow,
      client: client as ClientRow,
      invoice: invoice as InvoiceRow,
      facts: { tenant, client, invoice },
      attempt,
    };
  }

  it('every message carries its own fresh token (≥22 base64url characters) in /p /d /c, tied to its contact attempt', async () => {
    const s = await subject(false);
    const input = { stage: 'friendly_reminder' as const, tenant: s.tenant, client: s.client, invoice: s.invoice, linkBaseUrl, now };
    const a = await messageVariables(t.db, { ...input, contactAttemptId: s.attempt.id });
    const b = await messageVariables(t.db, { ...input, contactAttemptId: s.attempt.id });
    expect(a.linkToken).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(b.linkToken).not.toBe(a.linkToken);
    expect(a.variables.links).toEqual({
      pay: `${linkBaseUrl}/p/${a.linkToken}`,
      dispute: `${linkBaseUrl}/d/${a.linkToken}`,
      preferences: `${linkBaseUrl}/c/${a.linkToken}`,
    });
    expect(JSON.stringify(a.variables)).not.toContain(s.invoice.id.replace(/-/g, '').slice(0, 12));
    const resolved = await resolveDebtorLinkToken(t.db, a.linkToken, now);
    expect(resolved).toMatchObject({ invoice: { id: s.invoice.id }, contactAttemptId: s.attempt.id });
    // The longest base the notifier accepts (28 characters) still renders.
    const long = await messageVariables(t.db, { ...input, linkBaseUrl: `https://${'x'.repeat(20)}`, contactAttemptId: s.attempt.id });
    expect(() => renderTemplate('final_notice', 'sms', { ...long.variables, respondBy: '2026-12-14' })).not.toThrow();
    // A retried run can reuse its token, so the message is the same.
    expect((await messageVariables(t.db, { ...input, contactAttemptId: s.attempt.id, linkToken: a.linkToken })).variables).toEqual(
      a.variables,
    );
  });

  it('a promise-to-pay confirmation and a payment link sent the same day quote the same amount: quoteBalance’s total', async () => {
    const s = await subject(true);
    const quote = quoteBalance({ invoice: s.facts.invoice, clientKind: 'business', claimsLatePaymentCharges: true }, now);
    expect(quote.interestPence).toBeGreaterThan(0);
    const base = { tenant: s.tenant, client: s.client, invoice: s.invoice, linkBaseUrl, now, contactAttemptId: s.attempt.id };
    const promise = await messageVariables(t.db, {
      ...base,
      stage: 'promise_to_pay_confirmation',
      jobVariables: { promise_date: '2026-12-05' },
    });
    const link = await messageVariables(t.db, { ...base, stage: 'payment_link' });
    const total = `£${(quote.totalPence / 100).toFixed(2)}`;
    const promiseSms = (renderTemplate('promise_to_pay_confirmation', 'sms', promise.variables) as { text: string }).text;
    const linkSms = (renderTemplate('payment_link', 'sms', link.variables) as { text: string }).text;
    expect(promiseSms).toContain(`you will pay ${total}`);
    expect(promiseSms).toContain(`(${total} due)`);
    expect(linkSms).toContain(`to pay ${total}`);
    expect(promiseSms).not.toContain('£500.00');
  });

  it('no interest or compensation unless the tenant claims them', async () => {
    const s = await subject(false);
    const base = { tenant: s.tenant, client: s.client, invoice: s.invoice, linkBaseUrl, now, contactAttemptId: s.attempt.id };
    const v = await messageVariables(t.db, { ...base, stage: 'payment_link' });
    expect(v.quote).toMatchObject({ totalPence: 500_00, interestPence: 0, compensationPence: 0 });
    expect(v.variables.claimStatutoryInterest).toBe(false);
    expect((renderTemplate('payment_link', 'sms', v.variables) as { text: string }).text).toContain('to pay £500.00');
  });

  it('a dispute acknowledgement quotes the dispute’s own random reference', async () => {
    const s = await subject(false);
    await t.db.dispute.create({
      data: {
        tenantId: s.tenant.id,
        invoiceId: s.invoice.id,
        clientId: s.client.id,
        reference: 'DSP-7KQ2-M9XD-4TRA-0000',
        source: 'debtor_link',
        openedAt: now,
      },
    });
    const v = await messageVariables(t.db, {
      stage: 'dispute_acknowledgement',
      tenant: s.tenant,
      client: { ...s.client, disputeOpenedAt: now },
      invoice: s.invoice,
      linkBaseUrl,
      now,
      contactAttemptId: s.attempt.id,
    });
    expect(v.variables.dispute).toMatchObject({ reference: 'DSP-7KQ2-M9XD-4TRA-0000' });
  });
});
