import type { InvoiceModel, InvoiceStatus } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { recordInvoiceEvent } from '../invoice-events';
import { effectiveStatus, isCollectable } from '../invoice-status';
import { lockInvoice } from '../ledger';

export interface PipelineStepInput {
  tenantId: string;
  invoiceId: string;
  /** The collection level the invoice has reached; the stored stage only ever rises. */
  reachedStage?: number;
  /** When a contact was last queued for it. */
  lastActionAt?: Date;
  /** When the pipeline should look again; null: not automatically any more. Omitted: unchanged. */
  nextActionAt?: Date | null;
  actor: Actor;
}

export type PipelineStepResult =
  | { outcome: 'recorded'; invoice: InvoiceModel; stageChanged: boolean }
  /** Paid, disputed, cancelled or written off meanwhile: the pipeline's bookkeeping no longer applies. */
  | { outcome: 'not_collectable'; status: InvoiceStatus };

/**
 * The automatic pipeline's bookkeeping on a collectable invoice: the stage it has reached, when it last acted and when
 * it looks again (an open invoice past its due date is stored as overdue on the way). One transaction; a timeline entry
 * only when the stage or the status changes, so the daily "look again tomorrow" leaves no noise.
 */
export async function recordPipelineStep(deps: CollectionsDeps, input: PipelineStepInput): Promise<PipelineStepResult> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    if (!isCollectable(invoice.status)) return { outcome: 'not_collectable' as const, status: invoice.status };
    const collectionStage = Math.max(invoice.collectionStage, input.reachedStage ?? invoice.collectionStage);
    const status = effectiveStatus(invoice, now);
    const updated = await tx.invoice.update({
      where: { id: invoice.id },
      data: {
        collectionStage,
        status,
        ...(input.lastActionAt !== undefined ? { lastActionAt: input.lastActionAt } : {}),
        ...(input.nextActionAt !== undefined ? { nextActionAt: input.nextActionAt } : {}),
      },
    });
    const stageChanged = collectionStage !== invoice.collectionStage;
    if (stageChanged || status !== invoice.status) {
      await recordInvoiceEvent(tx, {
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        type: stageChanged ? 'collection_stage_changed' : 'invoice_overdue',
        actor: input.actor,
        fromStatus: invoice.status,
        toStatus: status,
        detail: stageChanged ? { from_stage: invoice.collectionStage, to_stage: collectionStage } : {},
        at: now,
      });
    }
    return { outcome: 'recorded' as const, invoice: updated, stageChanged };
  });
}
