import { featuresAsOf, settledAt } from './database-features';

const day = 86_400_000;
const at = (d: number) => new Date(Date.UTC(2025, 0, 1) + d * day);
const client = {
  id: 'c',
  createdAt: at(-100),
  industryCode: '62',
  paymentMethodOnFile: true,
  disputeOpenedAt: at(50),
  disputeResolvedAt: at(70),
};
const invoice = (id: string, issue: number, payments: Array<[number, number]>, amountPence = 10_000) => ({
  id,
  clientId: 'c',
  amountPence,
  issueDate: at(issue),
  dueDate: at(issue + 30),
  status: 'open',
  payments: payments.map(([d, p]) => ({ receivedAt: at(d), amountPence: p })),
});

describe('point-in-time features', () => {
  const earlier = invoice('a', 0, [
    [40, 4_000],
    [45, 6_000],
  ]); // settled day 45, 15 days late
  const later = invoice('b', 10, [[90, 10_000]]); // settled day 90, 50 days late
  const current = invoice('x', 20, [
    [55, 2_000],
    [120, 8_000],
  ]);
  const contacts = [
    { clientId: 'c', channel: 'email', status: 'opened', createdAt: at(52) },
    { clientId: 'c', channel: 'email', status: 'sent', createdAt: at(53) },
    { clientId: 'c', channel: 'sms', status: 'replied', createdAt: at(80) },
  ];

  it('sees only what had happened by the as-of date', () => {
    const f = featuresAsOf(current, client, [earlier, later, current], contacts, at(60));
    expect(f).toMatchObject({
      invoice_amount: 100,
      days_overdue: 10,
      previous_paid_invoices: 1,
      previous_late_payments: 1,
      average_days_late: 15,
      partial_payments: 2,
      email_open_rate: 0.5,
      invoice_disputed: true,
      previous_disputes: 0,
      client_age_days: 160,
    });
    // The SMS reply on day 80 is in the future of day 60.
    expect(f.sms_response_rate).toBeUndefined();
  });

  it('counts later settlements, replies and resolved disputes once they have happened', () => {
    const f = featuresAsOf(current, client, [earlier, later, current], contacts, at(100));
    expect(f).toMatchObject({
      previous_paid_invoices: 2,
      previous_late_payments: 2,
      average_days_late: 32.5,
      sms_response_rate: 1,
      invoice_disputed: false,
      previous_disputes: 1,
    });
  });

  it('finds the settlement date from cumulative payments', () => {
    expect(settledAt(earlier)).toEqual(at(45));
    expect(settledAt(invoice('p', 0, [[5, 100]]))).toBeUndefined();
  });
});
