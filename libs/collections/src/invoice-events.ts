import type { InvoiceStatus, Prisma } from '@recoup/db';
import type { Actor, Tx } from './core-deps';

export type InvoiceEventType =
  | 'invoice_created'
  | 'invoice_updated'
  | 'invoice_cancelled'
  | 'invoice_written_off'
  | 'invoice_imported'
  | 'invoice_synced'
  | 'sync_conflict'
  | 'payment_written_back'
  | 'payment_applied'
  | 'payment_needs_review'
  | 'payment_refunded'
  | 'payment_charged_back'
  | 'dispute_opened'
  | 'dispute_resolved'
  | 'breathing_space_started'
  | 'breathing_space_ended'
  | 'promise_to_pay'
  | 'payment_plan_agreed'
  | 'payment_plan_broken'
  | 'contacts_cancelled'
  | 'contact_preferences_changed'
  | 'contact_channels_stopped'
  | 'callback_requested'
  | 'vulnerability_recorded'
  | 'invoice_overdue'
  | 'collection_stage_changed'
  | 'statement_queued';

export interface InvoiceEventInput {
  tenantId: string;
  invoiceId: string;
  type: InvoiceEventType;
  actor: Actor;
  fromStatus?: InvoiceStatus | null;
  toStatus?: InvoiceStatus | null;
  detail?: Record<string, unknown>;
  at: Date;
}

/** The audit entry of a use case: written in the same transaction as the change it records. */
export async function recordInvoiceEvent(tx: Tx, e: InvoiceEventInput): Promise<void> {
  await tx.invoiceEvent.create({
    data: {
      tenantId: e.tenantId,
      invoiceId: e.invoiceId,
      type: e.type,
      actor: e.actor,
      fromStatus: e.fromStatus ?? null,
      toStatus: e.toStatus ?? null,
      detail: (e.detail ?? {}) as Prisma.InputJsonValue,
      occurredAt: e.at,
    },
  });
}

/**
 * A debtor-level change (breathing space, stopped channels, a safeguard) recorded on the timeline of each of the
 * debtor's invoices, with each invoice's unchanged status, in the caller's transaction.
 */
export async function recordDebtorEvent(
  tx: Tx,
  e: {
    tenantId: string;
    clientId: string;
    type: InvoiceEventType;
    actor: Actor;
    detail: Record<string, unknown>;
    at: Date;
    invoiceIds?: string[];
  },
): Promise<void> {
  const invoices = await tx.invoice.findMany({
    where: { clientId: e.clientId, tenantId: e.tenantId, ...(e.invoiceIds ? { id: { in: e.invoiceIds } } : {}) },
    select: { id: true, status: true },
  });
  for (const inv of invoices) {
    await recordInvoiceEvent(tx, {
      tenantId: e.tenantId,
      invoiceId: inv.id,
      type: e.type,
      actor: e.actor,
      fromStatus: inv.status,
      toStatus: inv.status,
      detail: e.detail,
      at: e.at,
    });
  }
}
