import type { ClientModel, InvoiceModel, PaymentModel } from '@recoup/db';
import { toMajor } from '@recoup/contracts';
import { COLLECTABLE_STATUSES, CLOSED_STATUSES, daysOverdue, effectiveStatus, isoDate } from '@recoup/collections';

// The invoice's rules live in libs/collections; these names stay for the gateway's readers.
export { dateOnly, daysOverdue, isoDate, londonToday, DEFAULT_ZONE as ZONE } from '@recoup/collections';
export const COLLECTABLE = COLLECTABLE_STATUSES;
export const CLOSED = CLOSED_STATUSES;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function invoiceJson(inv: InvoiceModel, now: Date = new Date()) {
  const balance = Math.max(inv.amountPence - inv.paidPence, 0);
  const credit = Math.max(inv.paidPence - inv.amountPence, 0);
  return {
    id: inv.id,
    client_id: inv.clientId,
    invoice_reference: inv.reference,
    amount: toMajor(inv.amountPence),
    amount_paid: toMajor(inv.paidPence),
    balance: toMajor(balance),
    credit: toMajor(credit),
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
    postcode: c.postcode,
    date_of_birth: c.dateOfBirth ? c.dateOfBirth.toISOString().slice(0, 10) : null,
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
    currency: p.currency,
    refunded: toMajor(p.refundedPence),
    method: p.method,
    status: p.status,
    external_id: p.externalId,
    installment_id: p.installmentId,
    received_at: p.receivedAt.toISOString(),
  };
}
