import type { Channel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordDebtorEvent } from '../invoice-events';
import { lockClient } from '../ledger';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from './cancel-pending-contacts';

export interface StopContactChannelsInput {
  tenantId: string;
  clientId: string;
  /** The channels the debtor asked us to stop using (added to the ones already stopped). */
  channels: Channel[];
  /** Why, as the cancelled attempts and the timeline show it: e.g. `debtor asked on an AI call`. */
  reason: string;
  actor: Actor;
}

export interface StopContactChannelsResult {
  /** Every channel now stopped for the debtor. */
  stoppedChannels: Channel[];
  /** The channels this request added (empty: they were already stopped). */
  added: Channel[];
  cancelledContacts: number;
}

/**
 * The debtor asks us to stop contacting them on some channels (CONC 7.9: a request about the means of contact is
 * respected): the channels are stopped for the debtor (the compliance engine refuses them from now on), their queued
 * contacts on those channels are cancelled, and each of the debtor's invoices records it — one transaction.
 * Asking again changes nothing.
 */
export async function stopContactChannels(deps: CollectionsDeps, input: StopContactChannelsInput): Promise<StopContactChannelsResult> {
  if (input.channels.length === 0) throw CollectionsError.invalid('name at least one channel', 'channels');
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  const result = await deps.db.$transaction(async (tx) => {
    // Locked: two stop requests at once must not each overwrite the other's channels.
    const client = await lockClient(tx, input.tenantId, input.clientId);
    const added = [...new Set(input.channels)].filter((c) => !client.stoppedChannels.includes(c));
    const stoppedChannels = [...client.stoppedChannels, ...added];
    if (added.length > 0) await tx.client.update({ where: { id: client.id }, data: { stoppedChannels } });
    cancelled = await cancelPendingContactsIn(
      tx,
      { tenantId: input.tenantId, clientId: client.id, channels: [...new Set(input.channels)], reason: input.reason },
      now,
    );
    if (added.length > 0 || cancelled.length > 0) {
      await recordDebtorEvent(tx, {
        tenantId: input.tenantId,
        clientId: client.id,
        type: 'contact_channels_stopped',
        actor: input.actor,
        detail: { channels: added, stopped_channels: stoppedChannels, reason: input.reason, cancelled_contacts: cancelled.length },
        at: now,
      });
    }
    return { stoppedChannels, added, cancelledContacts: cancelled.length };
  });
  await removeCancelledJobs(deps, cancelled);
  return result;
}
