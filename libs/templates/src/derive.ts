import { daysBetween, formatPence, formatUkDate } from './format';
import { latePaymentClaim } from './late-payment';
import type { Derived } from './template.types';
import type { BaseVariables } from './template-variables.schema';

export function derive(v: BaseVariables): Derived {
  const outstandingPence = v.invoice.amountPence - v.invoice.paidPence;
  const daysOverdue = Math.max(0, daysBetween(v.invoice.dueDate, v.today));
  const consumer = v.debtor.kind === 'consumer';
  const lateClaim =
    !consumer && v.claimStatutoryInterest && daysOverdue > 0 && outstandingPence > 0
      ? latePaymentClaim({
          principalPence: outstandingPence,
          dueDate: v.invoice.dueDate,
          asOf: v.today,
          frozenPeriods: v.interestFrozenPeriods,
        })
      : null;
  return {
    consumer,
    outstandingPence,
    outstanding: formatPence(outstandingPence),
    dueDate: formatUkDate(v.invoice.dueDate),
    daysOverdue,
    lateClaim,
    totalDuePence: lateClaim ? lateClaim.totalClaimPence : outstandingPence,
  };
}
