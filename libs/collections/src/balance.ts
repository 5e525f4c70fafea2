import type { ClientKind, InvoiceModel } from '@recoup/db';
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
}

export interface BalanceFacts {
  invoice: Pick<InvoiceModel, 'amountPence' | 'paidPence' | 'currency' | 'dueDate' | 'status'>;
  clientKind: ClientKind;
  claimsLatePaymentCharges: boolean;
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
  return {
    currency: invoice.currency,
    principalPence,
    interestPence: claim.interestPence,
    compensationPence: claim.compensationPence,
    totalPence: claim.totalClaimPence,
    creditPence,
    asOf,
  };
}
