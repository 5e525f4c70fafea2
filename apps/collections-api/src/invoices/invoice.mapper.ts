import { DateTime } from 'luxon';
import type { ClientModel, InvoiceModel, PaymentModel } from '@recoup/db';
import { toMajor, type InvoiceStatus } from '@recoup/contracts';

export const ZONE = 'Europe/London';

/** Today's calendar date in London, as the UTC-midnight Date PostgreSQL `date` columns use. */
export function londonToday(now: Date = new Date()): Date {
  // Time-zone conversion is costly on the hot read path; the answer only changes at a minute boundary.
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== todayCache.minute) {
    const iso = DateTime.fromJSDate(now).setZone(ZONE).toISODate() ?? now.toISOString().slice(0, 10);
    todayCache = { minute, midnight: Date.parse(`${iso}T00:00:00.000Z`) };
  }
  return new Date(todayCache.midnight);
}
let todayCache = { minute: NaN, midnight: 0 };

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function dateOnly(iso: string): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

export function daysOverdue(dueDate: Date, now: Date = new Date()): number {
  return Math.max(0, Math.round((londonToday(now).getTime() - dueDate.getTime()) / 86_400_000));
}

export const COLLECTABLE: readonly InvoiceStatus[] = ['open', 'overdue', 'partially_paid'];
export const CLOSED: readonly InvoiceStatus[] = ['paid', 'cancelled', 'written_off'];

/** Stored status, with an open invoice past its due date reported as overdue before the daily scan flips it. */
export function effectiveStatus(inv: Pick<InvoiceModel, 'status' | 'dueDate'>, now: Date = new Date()): InvoiceStatus {
  if (inv.status === 'open' && inv.dueDate.getTime() < londonToday(now).getTime()) return 'overdue';
  return inv.status;
}

/** The status money implies: paid in full, part paid, or back to open/overdue; disputes, cancellations and write-offs stay. */
export function statusForBalance(
  inv: Pick<InvoiceModel, 'status' | 'dueDate' | 'amountPence'>,
  paidPence: number,
  now: Date = new Date(),
): InvoiceStatus {
  if (paidPence >= inv.amountPence) return 'paid';
  if (inv.status === 'disputed' || inv.status === 'cancelled' || inv.status === 'written_off') return inv.status;
  if (paidPence > 0) return 'partially_paid';
  return inv.dueDate.getTime() < londonToday(now).getTime() ? 'overdue' : 'open';
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function invoiceJson(inv: InvoiceModel, now: Date = new Date()) {
  const balance = Math.max(inv.amountPence - inv.paidPence, 0);
  return {
    id: inv.id,
    client_id: inv.clientId,
    invoice_reference: inv.reference,
    amount: toMajor(inv.amountPence),
    amount_paid: toMajor(inv.paidPence),
    balance: toMajor(balance),
    currency: inv.currency,
    issue_date: isoDate(inv.issueDate),
    due_date: isoDate(inv.dueDate),
    status: effectiveStatus(inv, now),
    days_overdue: COLLECTABLE.includes(inv.status) || inv.status === 'disputed' ? daysOverdue(inv.dueDate, now) : 0,
    collection_stage: inv.collectionStage,
    description: inv.description,
    last_action_at: iso(inv.lastActionAt),
    next_action_at: iso(inv.nextActionAt),
    cancelled_at: iso(inv.cancelledAt),
    created_at: inv.createdAt.toISOString(),
    updated_at: inv.updatedAt.toISOString(),
  };
}

export function clientJson(c: ClientModel) {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    kind: c.kind,
    nation: c.nation,
    timezone: c.timezone,
    jurisdiction: c.jurisdiction,
    industry_code: c.industryCode,
    payment_method_on_file: c.paymentMethodOnFile,
    dispute_opened_at: iso(c.disputeOpenedAt),
    dispute_resolved_at: iso(c.disputeResolvedAt),
    stopped_channels: c.stoppedChannels,
    preferred_channel: c.preferredChannel,
    preferred_times: c.preferredTimes ?? null,
    breathing_space_start: iso(c.breathingSpaceStart),
    breathing_space_end: iso(c.breathingSpaceEnd),
    vulnerable: c.vulnerable,
    vulnerability_note: c.vulnerabilityNote,
    mental_capacity_concern: c.mentalCapacityConcern,
    artificial_voice_consent_at: iso(c.artificialVoiceConsentAt),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function paymentJson(p: PaymentModel) {
  return {
    id: p.id,
    invoice_id: p.invoiceId,
    amount: toMajor(p.amountPence),
    refunded: toMajor(p.refundedPence),
    method: p.method,
    status: p.status,
    external_id: p.externalId,
    installment_id: p.installmentId,
    received_at: p.receivedAt.toISOString(),
  };
}
