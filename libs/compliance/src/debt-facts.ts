import { isClosed as isClosedStatus } from '@recoup/collections';
import type { DebtFacts } from './contact.types';

/** Amount still owed, never negative. */
export function outstandingPence(debt: DebtFacts): number {
  return Math.max(0, debt.amountPence - (debt.paidPence ?? 0));
}

/** The due date as an ISO date; a Date is read in UTC, as PostgreSQL `date` columns arrive. */
export function dueDateIso(debt: DebtFacts): string | null {
  const d = debt.dueDate;
  if (d instanceof Date) return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : null;
}

export function isClosed(debt: DebtFacts): boolean {
  // Closed is the core's rule (paid, cancelled, written off); nothing left owed closes it for contact too.
  return (debt.status != null && isClosedStatus(debt.status)) || outstandingPence(debt) === 0;
}
