import type { Channel } from '@recoup/db';
import type { CollectionsDeps, Tx } from '../core-deps';
import { queueOfChannel } from './queue-of-channel';

export interface PendingContactsScope {
  tenantId: string;
  /** One invoice's contacts, or (without it) every invoice-less and invoice contact of the client. */
  invoiceId?: string;
  clientId?: string;
  channels?: Channel[];
  reason: string;
}

export interface CancelledContact {
  id: string;
  jobId: string | null;
  channel: Channel;
  /** The statement message it rode on: removed too once none of its invoices is left in it. */
  statementJobId?: string | null;
}

/**
 * Marks the scope's `queued` attempts cancelled inside the caller's transaction. Only `queued`: an attempt a worker
 * has claimed (`sending`) is already at the provider and ends `sent` — the record never contradicts what the
 * debtor received. The jobs are removed after the commit by `removeCancelledJobs`.
 */
export async function cancelPendingContactsIn(tx: Tx, scope: PendingContactsScope, now: Date): Promise<CancelledContact[]> {
  if (!scope.invoiceId && !scope.clientId) throw new Error('cancelPendingContacts needs an invoice or a client');
  const where = {
    tenantId: scope.tenantId,
    status: 'queued' as const,
    ...(scope.invoiceId ? { invoiceId: scope.invoiceId } : {}),
    ...(scope.clientId ? { clientId: scope.clientId } : {}),
    ...(scope.channels ? { channel: { in: scope.channels } } : {}),
  };
  const pending = await tx.contactAttempt.findMany({ where, select: { id: true, jobId: true, channel: true } });
  if (pending.length === 0) return [];
  const updated = await tx.contactAttempt.updateManyAndReturn({
    where: { id: { in: pending.map((p) => p.id) }, status: 'queued' },
    data: { status: 'cancelled', failureReason: scope.reason, completedAt: now },
    select: { id: true, jobId: true, channel: true, statementJobId: true },
  });
  return updated;
}

/**
 * Removes the cancelled attempts' jobs from their queues. Best effort: a job already running cannot be removed,
 * and its worker re-reads the attempt, finds it cancelled and stops (the queue contract).
 */
export async function removeCancelledJobs(deps: CollectionsDeps, cancelled: CancelledContact[]): Promise<void> {
  if (!deps.producer) return;
  const statements = [...new Set(cancelled.map((c) => c.statementJobId).filter((id): id is string => !!id))];
  const emptied = statements.length
    ? await deps.db.contactAttempt
        .groupBy({ by: ['statementJobId'], where: { statementJobId: { in: statements }, status: { in: ['queued', 'sending'] } } })
        .then((live) => statements.filter((id) => !live.some((l) => l.statementJobId === id)))
    : [];
  // A statement with none of its invoices left is not sent at all (its worker would find nothing to send either).
  const jobs = [
    ...cancelled.filter((c) => !c.statementJobId),
    ...emptied.map((id) => ({ jobId: id, channel: cancelled.find((c) => c.statementJobId === id)?.channel ?? ('email' as Channel) })),
  ];
  for (const attempt of jobs) {
    if (!attempt.jobId) continue;
    try {
      const job = await deps.producer.queue(queueOfChannel(attempt.channel)).getJob(attempt.jobId);
      await job?.remove();
    } catch (err) {
      deps.logger?.info(
        { jobId: attempt.jobId, err: { message: (err as Error).message } },
        'pending job could not be removed (running); its worker will cancel it',
      );
    }
  }
}

/** The stand-alone use case: cancel a scope's pending contacts (e.g. a STOP reply for one channel). */
export async function cancelPendingContacts(deps: CollectionsDeps, scope: PendingContactsScope): Promise<number> {
  const now = deps.clock ? deps.clock() : new Date();
  const cancelled = await deps.db.$transaction((tx) => cancelPendingContactsIn(tx, scope, now));
  await removeCancelledJobs(deps, cancelled);
  return cancelled.length;
}
