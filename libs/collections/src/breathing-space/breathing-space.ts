import type { ClientModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordDebtorEvent } from '../invoice-events';
import { randomReference } from '../references';

export interface StartBreathingSpaceInput {
  tenantId: string;
  clientId: string;
  start: Date;
  /** Standard breathing space lasts 60 days (SI 2020/1311 reg 26); a mental-health crisis one has no fixed end. */
  end?: Date | null;
  actor: Actor;
}

/**
 * A debt respite (Breathing Space) moratorium: every queued contact of the debtor is cancelled and the compliance
 * engine refuses contact until it ends (reg 7); the record gets a random reference. One transaction, audited on
 * each of the debtor's invoices.
 */
export async function startBreathingSpace(deps: CollectionsDeps, input: StartBreathingSpaceInput): Promise<ClientModel> {
  const now = nowOf(deps);
  const end = input.end === undefined ? new Date(input.start.getTime() + 60 * 86_400_000) : input.end;
  let cancelled: CancelledContact[] = [];
  const client = await deps.db.$transaction(async (tx) => {
    const found = await tx.client.findFirst({ where: { id: input.clientId, tenantId: input.tenantId } });
    if (!found) throw CollectionsError.notFound('client', 'client_id');
    const updated = await tx.client.update({
      where: { id: found.id },
      data: { breathingSpaceStart: input.start, breathingSpaceEnd: end, breathingSpaceReference: randomReference('BSP') },
    });
    cancelled = await cancelPendingContactsIn(tx, { tenantId: input.tenantId, clientId: found.id, reason: 'breathing space' }, now);
    await recordDebtorEvent(tx, {
      tenantId: input.tenantId,
      clientId: found.id,
      type: 'breathing_space_started',
      actor: input.actor,
      detail: { reference: updated.breathingSpaceReference, start: input.start.toISOString(), end: end?.toISOString() ?? null },
      at: now,
    });
    return updated;
  });
  await removeCancelledJobs(deps, cancelled);
  return client;
}

/** Ends a breathing space early (the adviser or the Insolvency Service says so): contact may resume. */
export async function endBreathingSpace(
  deps: CollectionsDeps,
  input: { tenantId: string; clientId: string; actor: Actor },
): Promise<ClientModel> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const found = await tx.client.findFirst({ where: { id: input.clientId, tenantId: input.tenantId } });
    if (!found) throw CollectionsError.notFound('client', 'client_id');
    const updated = await tx.client.update({ where: { id: found.id }, data: { breathingSpaceEnd: now } });
    await recordDebtorEvent(tx, {
      tenantId: input.tenantId,
      clientId: found.id,
      type: 'breathing_space_ended',
      actor: input.actor,
      detail: { reference: found.breathingSpaceReference },
      at: now,
    });
    return updated;
  });
}
