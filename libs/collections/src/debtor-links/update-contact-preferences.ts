import type { Channel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { lockClient } from '../ledger';
import { recordInvoiceEvent } from '../invoice-events';

export interface UpdateContactPreferencesInput {
  tenantId: string;
  clientId: string;
  /** The invoice whose link the debtor used: its timeline records the change. */
  invoiceId: string;
  /** Channels the debtor ticked that were not ticked (stopped from now on). */
  stop: Channel[];
  /** Channels the debtor unticked that were ticked (may be used again). */
  resume: Channel[];
  /** The channel the debtor prefers (null: no preference); undefined leaves it as it is. */
  preferredChannel?: Channel | null;
  actor: Actor;
}

export interface UpdateContactPreferencesResult {
  stoppedChannels: Channel[];
  preferredChannel: Channel | null;
  changed: boolean;
  cancelledContacts: number;
}

/**
 * The debtor's own choice of how we contact them (CONC 7.9), from the preferences page: only the channels they
 * ticked or unticked change — a channel stopped another way (a STOP reply, a request on a call) and not shown
 * unticked stays stopped. Queued contacts on newly stopped channels are cancelled; one transaction with the entry
 * on the invoice's timeline.
 */
export async function updateContactPreferences(
  deps: CollectionsDeps,
  input: UpdateContactPreferencesInput,
): Promise<UpdateContactPreferencesResult> {
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  const result = await deps.db.$transaction(async (tx) => {
    // Locked: a STOP reply arriving meanwhile must not be overwritten by this request's view of the channels.
    const client = await lockClient(tx, input.tenantId, input.clientId);
    const invoice = await tx.invoice.findFirst({
      where: { id: input.invoiceId, tenantId: input.tenantId, clientId: client.id },
      select: { id: true, status: true },
    });
    if (!invoice) throw CollectionsError.notFound('invoice', 'invoice_id');
    const stop = new Set(input.stop);
    const resume = new Set(input.resume.filter((c) => !stop.has(c)));
    const before = new Set(client.stoppedChannels);
    const after = new Set([...before, ...stop].filter((c) => !resume.has(c)));
    const stoppedChannels = [...after].sort();
    const added = stoppedChannels.filter((c) => !before.has(c));
    const removed = [...before].filter((c) => !after.has(c)).sort();
    const preferredChannel = input.preferredChannel === undefined ? client.preferredChannel : input.preferredChannel;
    const changed = added.length > 0 || removed.length > 0 || preferredChannel !== client.preferredChannel;
    if (changed) await tx.client.update({ where: { id: client.id }, data: { stoppedChannels, preferredChannel } });
    if (stop.size > 0)
      cancelled = await cancelPendingContactsIn(
        tx,
        { tenantId: input.tenantId, clientId: client.id, channels: [...stop], reason: 'channel stopped by the debtor' },
        now,
      );
    if (changed || cancelled.length > 0)
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        type: 'contact_preferences_changed',
        actor: input.actor,
        fromStatus: invoice.status,
        toStatus: invoice.status,
        detail: {
          stopped: added,
          resumed: removed,
          stopped_channels: stoppedChannels,
          preferred_channel: { from: client.preferredChannel, to: preferredChannel },
          cancelled_contacts: cancelled.length,
        },
        at: now,
      });
    return { stoppedChannels, preferredChannel, changed, cancelledContacts: cancelled.length };
  });
  await removeCancelledJobs(deps, cancelled);
  return result;
}
