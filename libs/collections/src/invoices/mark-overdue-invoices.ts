import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { londonToday } from '../london-time';

/**
 * Stores `overdue` on every open invoice whose due date has passed in London (the daily scan), each with its timeline
 * entry, in one transaction. A payment racing it wins: the update re-checks `open` on the row it locks.
 */
export async function markOverdueInvoices(deps: CollectionsDeps, input: { actor: Actor }): Promise<number> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const flipped = await tx.invoice.updateManyAndReturn({
      where: { status: 'open', dueDate: { lt: londonToday(now) } },
      data: { status: 'overdue' },
      select: { id: true, tenantId: true },
    });
    if (flipped.length === 0) return 0;
    await tx.invoiceEvent.createMany({
      data: flipped.map((inv) => ({
        tenantId: inv.tenantId,
        invoiceId: inv.id,
        type: 'invoice_overdue',
        actor: input.actor,
        fromStatus: 'open' as const,
        toStatus: 'overdue' as const,
        detail: {},
        occurredAt: now,
      })),
    });
    return flipped.length;
  });
}
