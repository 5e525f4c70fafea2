import { DateTime } from 'luxon';
import type { Tx } from '../core-deps';
import { CollectionsError } from '../errors';
import { COLLECTABLE_STATUSES } from '../invoice-status';
import { isoDate } from '../london-time';

/**
 * Why a debtor's personal data cannot be erased yet (UK GDPR Art. 17(3)(b) legal obligation, (e) the establishment,
 * exercise or defence of legal claims). Each hold names what it is about and, where known, the date it ends.
 */
export type LegalHoldKind = 'open_dispute' | 'payment_plan' | 'outstanding_balance' | 'chargeback_open';

export interface LegalHold {
  kind: LegalHoldKind;
  /** The invoice (by its reference) the hold is about. */
  invoiceReference: string;
  /** The date (YYYY-MM-DD) the hold ends at the latest, or null when it ends with an event (a dispute's outcome). */
  endsOn: string | null;
  detail: string;
}

/** A refused erasure: a conflict naming every legal hold. */
export class LegalHoldsError extends CollectionsError {
  constructor(readonly holds: LegalHold[]) {
    super(
      'conflict',
      `Erasure refused while ${holds.length} legal hold${holds.length > 1 ? 's apply' : ' applies'}: ${holds.map(describe).join('; ')}`,
    );
  }
}

export function isLegalHoldsError(err: unknown): err is LegalHoldsError {
  return err instanceof LegalHoldsError;
}

function describe(hold: LegalHold): string {
  return `${hold.kind} on ${hold.invoiceReference}${hold.endsOn ? ` until ${hold.endsOn}` : ''}`;
}

/** Limitation Act 1980 s.5: an action on a simple contract debt cannot be brought after six years from the cause of action. */
export const LIMITATION_YEARS = 6;

const plusYears = (d: Date, years: number): string => isoDate(DateTime.fromJSDate(d, { zone: 'utc' }).plus({ years }).toJSDate());

/**
 * The debtor's legal holds, read in the caller's transaction:
 * - an open dispute (CONC 7.14: the creditor must answer it; its record is evidence) — ends with the outcome;
 * - a proposed or active payment plan — ends with its last instalment;
 * - an outstanding balance on a collectable invoice — the claim exists until paid, and is enforceable for six years
 *   from the due date or the last payment, whichever is later (Limitation Act 1980 ss.5, 29(5): a part payment
 *   restarts the period);
 * - a payment under chargeback — ends with the card scheme's decision.
 */
export async function findLegalHolds(tx: Tx, tenantId: string, clientId: string): Promise<LegalHold[]> {
  const invoices = await tx.invoice.findMany({
    where: { tenantId, clientId },
    select: {
      id: true,
      reference: true,
      status: true,
      amountPence: true,
      paidPence: true,
      currency: true,
      dueDate: true,
      disputes: { where: { resolvedAt: null }, select: { reference: true, openedAt: true } },
      paymentPlans: {
        where: { status: { in: ['proposed', 'active'] } },
        select: { status: true, installments: { select: { dueDate: true }, orderBy: { dueDate: 'desc' }, take: 1 } },
      },
      payments: { select: { status: true, receivedAt: true, externalId: true } },
    },
    orderBy: [{ dueDate: 'asc' }, { reference: 'asc' }],
  });
  const holds: LegalHold[] = [];
  for (const invoice of invoices) {
    for (const dispute of invoice.disputes) {
      holds.push({
        kind: 'open_dispute',
        invoiceReference: invoice.reference,
        endsOn: null,
        detail: `dispute ${dispute.reference} opened ${isoDate(dispute.openedAt)} is open until its outcome is sent (CONC 7.14)`,
      });
    }
    for (const plan of invoice.paymentPlans) {
      const last = plan.installments[0]?.dueDate ?? null;
      holds.push({
        kind: 'payment_plan',
        invoiceReference: invoice.reference,
        endsOn: last ? isoDate(last) : null,
        detail: `${plan.status} payment plan${last ? ` ends with its last instalment on ${isoDate(last)}` : ''}`,
      });
    }
    const outstanding = invoice.amountPence - invoice.paidPence;
    if (COLLECTABLE_STATUSES.includes(invoice.status) && outstanding > 0) {
      const lastPayment = invoice.payments.reduce<Date | null>((d, p) => (!d || p.receivedAt > d ? p.receivedAt : d), null);
      const from = lastPayment && lastPayment > invoice.dueDate ? lastPayment : invoice.dueDate;
      holds.push({
        kind: 'outstanding_balance',
        invoiceReference: invoice.reference,
        endsOn: plusYears(from, LIMITATION_YEARS),
        detail: `${outstanding} pence ${invoice.currency} outstanding; held until paid, written off or cancelled, at most until the claim is time-barred (Limitation Act 1980 s.5)`,
      });
    }
    for (const payment of invoice.payments.filter((p) => p.status === 'disputed')) {
      holds.push({
        kind: 'chargeback_open',
        invoiceReference: invoice.reference,
        endsOn: null,
        detail: `payment ${payment.externalId ?? ''} is under chargeback until the card scheme decides`.replace('  ', ' '),
      });
    }
  }
  return holds;
}
