import { hotQuery, type ClientKind, type Database, type InvoiceModel } from '@recoup/db';
import type { Tx } from './core-deps';
import { ledgerTotals } from './ledger';
import { latePaymentClaim } from '@recoup/templates';
import { isoDate, londonToday } from './london-time';

/**
 * The one balance a debtor is quoted, by every message, call, link and API answer: the unpaid principal, plus
 * statutory interest and fixed compensation (Late Payment of Commercial Debts (Interest) Act 1998) only where the
 * creditor claims them and the debtor is a business, itemised so nothing is an unexplained difference.
 */
export interface BalanceQuote {
  currency: string;
  principalPence: number;
  interestPence: number;
  compensationPence: number;
  totalPence: number;
  /** Money paid beyond the invoice amount, held for the debtor. */
  creditPence: number;
  /** The London date the quote is for (interest accrues daily). */
  asOf: string;
  /** Days the interest was frozen (a breathing space): a template recomputing the claim must use the same. */
  interestFrozenPeriods?: ReadonlyArray<{ from: string; to: string }>;
}

export interface BalanceFacts {
  invoice: Pick<InvoiceModel, 'amountPence' | 'paidPence' | 'currency' | 'dueDate' | 'status'>;
  clientKind: ClientKind;
  claimsLatePaymentCharges: boolean;
  /** Late-payment charges already paid on this invoice (they are owed once). */
  chargesPaidPence?: number;
  /** Days no interest accrues (a Breathing Space moratorium, SI 2020/1311 reg 7), inclusive ISO dates. */
  interestFrozenPeriods?: ReadonlyArray<{ from: string; to: string }>;
}

export function quoteBalance(facts: BalanceFacts, now: Date = new Date()): BalanceQuote {
  const { invoice } = facts;
  const asOf = isoDate(londonToday(now));
  const principalPence = Math.max(0, invoice.amountPence - invoice.paidPence);
  const creditPence = Math.max(0, invoice.paidPence - invoice.amountPence);
  const chargeable =
    facts.claimsLatePaymentCharges &&
    facts.clientKind === 'business' &&
    invoice.currency === 'GBP' &&
    principalPence > 0 &&
    (invoice.status === 'overdue' || invoice.status === 'partially_paid' || invoice.status === 'open') &&
    isoDate(invoice.dueDate) < asOf;
  if (!chargeable)
    return {
      currency: invoice.currency,
      principalPence,
      interestPence: 0,
      compensationPence: 0,
      totalPence: principalPence,
      creditPence,
      asOf,
    };
  const claim = latePaymentClaim({ principalPence, dueDate: isoDate(invoice.dueDate), asOf, frozenPeriods: facts.interestFrozenPeriods });
  // Charges already paid come off compensation first (a fixed sum), then interest.
  let paid = Math.max(0, facts.chargesPaidPence ?? 0);
  const compensationPence = Math.max(0, claim.compensationPence - paid);
  paid -= claim.compensationPence - compensationPence;
  const interestPence = Math.max(0, claim.interestPence - paid);
  return {
    currency: invoice.currency,
    principalPence,
    interestPence,
    compensationPence,
    totalPence: principalPence + interestPence + compensationPence,
    creditPence,
    asOf,
    interestFrozenPeriods: facts.interestFrozenPeriods,
  };
}

/**
 * The quote of one of the tenant's invoices, with everything it depends on read in one place: the creditor's claim
 * setting, the debtor's kind, charges already paid and a breathing space (no interest accrues during it, SI 2020/1311
 * reg 7). Every service quotes through this, so a message, a call, a link and the API never disagree.
 */
export async function quoteInvoiceBalance(
  db: Database | Tx,
  invoice: Pick<InvoiceModel, 'id' | 'tenantId' | 'clientId' | 'amountPence' | 'paidPence' | 'currency' | 'dueDate' | 'status'>,
  now: Date = new Date(),
): Promise<BalanceQuote> {
  // One after another: inside a transaction the queries share one connection (concurrent ones would only queue, and a
  // failure mid-way must not leave one of them pending).
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: invoice.tenantId }, select: { claimsLatePaymentCharges: true } });
  const client = await db.client.findUniqueOrThrow({
    where: { id: invoice.clientId },
    select: { kind: true, breathingSpaceStart: true, breathingSpaceEnd: true },
  });
  const totals = await ledgerTotals(db as Tx, invoice);
  return quoteBalance(
    {
      invoice,
      clientKind: client.kind,
      claimsLatePaymentCharges: tenant.claimsLatePaymentCharges,
      chargesPaidPence: totals.chargesPence,
      interestFrozenPeriods: client.breathingSpaceStart
        ? [{ from: isoDate(client.breathingSpaceStart), to: isoDate(client.breathingSpaceEnd ?? now) }]
        : undefined,
    },
    now,
  );
}

type QuotedInvoice = Pick<InvoiceModel, 'id' | 'tenantId' | 'clientId' | 'amountPence' | 'paidPence' | 'currency' | 'dueDate' | 'status'>;

/**
 * quoteInvoiceBalance for many invoices in one statement (the notifier quotes the messages of one event-loop turn
 * together): the same facts (the tenant's claim setting, the debtor's kind and breathing space, charges already paid
 * as ledgerTotals counts them) and the same quoteBalance, in the order of `invoices`.
 */
export async function quoteInvoiceBalances(
  db: Database | Tx,
  requests: ReadonlyArray<{ invoice: QuotedInvoice; now: Date }>,
): Promise<BalanceQuote[]> {
  const input = JSON.stringify(
    requests.map(({ invoice: i }, ord) => ({ ord, id: i.id, tenant_id: i.tenantId, client_id: i.clientId, currency: i.currency })),
  );
  const rows = await hotQuery<{
    ord: number;
    claims: boolean | null;
    kind: ClientKind | null;
    bs_start: Date | null;
    bs_end: Date | null;
    charges: bigint | string | null;
  }>(
    db,
    'collections.quoteInvoiceBalances',
    `SELECT x.ord, t.claims_late_payment_charges AS claims, c.kind::text AS kind, c.breathing_space_start AS bs_start,
           c.breathing_space_end AS bs_end, p.charges
      FROM jsonb_to_recordset($1::jsonb) AS x(ord int, id uuid, tenant_id uuid, client_id uuid, currency text)
      LEFT JOIN tenants t ON t.id = x.tenant_id
      LEFT JOIN clients c ON c.id = x.client_id
      LEFT JOIN LATERAL (
        SELECT SUM(LEAST(charges_pence, amount_pence - refunded_pence)) AS charges FROM payments
         WHERE invoice_id = x.id AND currency = x.currency AND status IN ('succeeded', 'part_refunded', 'refunded', 'disputed')
      ) p ON true
     ORDER BY x.ord`,
    [input],
  );
  return requests.map(({ invoice, now }, k) => {
    const r = rows[k];
    if (!r || r.claims === null || r.kind === null) throw new Error(`invoice ${invoice.id}: tenant or client not found`);
    return quoteBalance(
      {
        invoice,
        clientKind: r.kind,
        claimsLatePaymentCharges: r.claims,
        chargesPaidPence: Number(r.charges ?? 0),
        interestFrozenPeriods: r.bs_start ? [{ from: isoDate(r.bs_start), to: isoDate(r.bs_end ?? now) }] : undefined,
      },
      now,
    );
  });
}
