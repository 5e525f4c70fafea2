import type { InvoiceStatus } from '@recoup/db';
import { londonToday } from './london-time';

/** Statuses the pipeline still collects on. The one list: apps import it, never re-type it. */
export const COLLECTABLE_STATUSES: readonly InvoiceStatus[] = ['open', 'overdue', 'partially_paid'];
/** Statuses nothing can change any more (money may still arrive and is recorded as credit). */
export const CLOSED_STATUSES: readonly InvoiceStatus[] = ['paid', 'cancelled', 'written_off'];
/** Statuses in which no contact may be queued or sent: closed, or disputed (CONC 7.14). */
export const NO_CONTACT_STATUSES: readonly InvoiceStatus[] = [...CLOSED_STATUSES, 'disputed'];

export function isCollectable(status: InvoiceStatus): boolean {
  return COLLECTABLE_STATUSES.includes(status);
}
export function isClosed(status: InvoiceStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

/** What the status is derived from: the ledger and the invoice's own lifecycle flags. */
export interface StatusFacts {
  amountPence: number;
  /** Net money applied in the invoice's currency (payments − refunds − chargebacks). */
  paidPence: number;
  dueDate: Date;
  cancelled: boolean;
  writtenOff: boolean;
  /** An open dispute on this invoice. */
  disputed: boolean;
}

/**
 * The invoice's status, derived by one function from the ledger and the dispute and lifecycle state.
 * Order: paid in full wins (a dispute of a paid invoice is about a refund, not collection);
 * then cancellation and write-off; then an open dispute; then the balance and the due date.
 */
export function deriveInvoiceStatus(facts: StatusFacts, now: Date = new Date()): InvoiceStatus {
  if (facts.paidPence >= facts.amountPence) return 'paid';
  if (facts.cancelled) return 'cancelled';
  if (facts.writtenOff) return 'written_off';
  if (facts.disputed) return 'disputed';
  if (facts.paidPence > 0) return 'partially_paid';
  return facts.dueDate.getTime() < londonToday(now).getTime() ? 'overdue' : 'open';
}

/** Stored status, with an open invoice past its due date reported as overdue before the daily scan flips it. */
export function effectiveStatus(inv: { status: InvoiceStatus; dueDate: Date }, now: Date = new Date()): InvoiceStatus {
  if (inv.status === 'open' && inv.dueDate.getTime() < londonToday(now).getTime()) return 'overdue';
  return inv.status;
}
