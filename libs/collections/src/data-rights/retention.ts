import type { RetentionPeriods, RetentionReport } from '@recoup/contracts';
import { Prisma } from '@recoup/db';
import type { CollectionsDeps } from '../core-deps';
import { readRetentionPolicy } from './retention-policy';

/** What a text column reads as once retention removed it (the columns are NOT NULL). */
export const REMOVED_BY_RETENTION = '[removed: retention]';
const DAY_MS = 86_400_000;
const BATCH = 500;

/** The provider's recordings (libs/providers/telephony CallRecordings), structurally: the core depends on no provider. */
export interface ProviderRecordings {
  deleteRecording(recordingSid: string): Promise<'deleted' | 'already_gone'>;
}

export interface RetentionDeps extends CollectionsDeps {
  /** Deletes recordings at the telephony provider; without it a call's provider recording cannot expire (counted as a failure). */
  recordings?: ProviderRecordings;
}

export type RetentionRemoved = RetentionReport['removed'];

/**
 * Applies a tenant's retention periods as of `now`: recordings (ours, encrypted, and the provider's), transcripts
 * (AI-call turns and transcript, IVR transcripts) and the contact details of old contacts (messages as sent, inbound
 * replies) past their period are deleted or emptied. The ledger, invoices, payments, plans, disputes and the fact of
 * each contact are never touched: they are financial records (six years at least, see retention-policy.ts) and an
 * erasure is the only thing that anonymises them. Records one data_rights_requests row (kind retention, counts only).
 * Safe to run again: everything it selects is what has not been removed yet.
 */
export async function applyRetention(
  deps: RetentionDeps,
  input: { tenantId: string; now: Date; actor?: string },
): Promise<RetentionReport> {
  const { db } = deps;
  const { tenantId, now } = input;
  const { periods, invalid } = await readRetentionPolicy(deps, tenantId);
  if (invalid) deps.logger?.warn({ tenantId, invalid }, 'stored retention policy is invalid: the defaults apply');
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const removed: RetentionRemoved = {
    stored_recordings: 0,
    provider_recordings: 0,
    provider_recording_failures: 0,
    transcripts: 0,
    call_turns: 0,
    ivr_transcripts: 0,
    sent_messages: 0,
    inbound_messages: 0,
  };

  await expireRecordings(deps, tenantId, before(periods.recordings_days), now, removed);
  await expireTranscripts(deps, tenantId, before(periods.transcripts_days), now, removed);
  await expireContactDetails(deps, tenantId, before(periods.contact_records_days), removed);

  const request = await db.dataRightsRequest.create({
    data: {
      tenantId,
      kind: 'retention',
      status: 'completed',
      actor: input.actor ?? 'system',
      reason: 'retention periods',
      detail: { periods, removed, ...(invalid ? { invalid_policy: invalid } : {}) },
    },
    select: { id: true },
  });
  return { tenant_id: tenantId, request_id: request.id, ran_at: now.toISOString(), periods: periods satisfies RetentionPeriods, removed };
}

/** Calls older than the period with a recording here or at the provider that is not yet deleted. */
async function expireRecordings(deps: RetentionDeps, tenantId: string, cutoff: Date, now: Date, removed: RetentionRemoved): Promise<void> {
  const { db } = deps;
  const failed = new Set<string>();
  for (;;) {
    const calls = await db.call.findMany({
      where: {
        tenantId,
        recordingDeletedAt: null,
        createdAt: { lt: cutoff },
        id: { notIn: [...failed] },
        OR: [{ recordingSid: { not: null } }, { recordings: { some: {} } }],
      },
      select: { id: true, recordingSid: true, recordings: { select: { recordingSid: true } } },
      orderBy: { createdAt: 'asc' },
      take: BATCH,
    });
    if (calls.length === 0) return;
    for (const call of calls) {
      const sids = new Set([call.recordingSid, ...call.recordings.map((r) => r.recordingSid)].filter((s): s is string => !!s));
      let atProvider = true;
      for (const sid of sids) {
        try {
          if (!deps.recordings) throw new Error('no provider recordings adapter');
          await deps.recordings.deleteRecording(sid);
          removed.provider_recordings++;
        } catch (err) {
          atProvider = false;
          removed.provider_recording_failures++;
          deps.logger?.warn(
            { tenantId, callId: call.id, err: { message: (err as Error).message } },
            'recording not deleted at the provider',
          );
        }
      }
      // Our encrypted copy expires whatever the provider answered; the call is marked only once the provider's is gone too.
      const deleted = await db.storedRecording.deleteMany({ where: { callId: call.id } });
      removed.stored_recordings += deleted.count;
      if (atProvider) await db.call.update({ where: { id: call.id }, data: { recordingDeletedAt: now, recordingUrl: null } });
      else failed.add(call.id);
    }
  }
}

async function expireTranscripts(deps: RetentionDeps, tenantId: string, cutoff: Date, now: Date, removed: RetentionRemoved): Promise<void> {
  const { db } = deps;
  for (;;) {
    const calls = await db.call.findMany({
      where: {
        tenantId,
        transcriptDeletedAt: null,
        createdAt: { lt: cutoff },
        OR: [{ transcript: { not: Prisma.AnyNull } }, { turns: { some: {} } }],
      },
      select: { id: true },
      take: BATCH,
    });
    if (calls.length === 0) break;
    const ids = calls.map((c) => c.id);
    await db.$transaction(async (tx) => {
      const turns = await tx.callTurn.deleteMany({ where: { callId: { in: ids } } });
      await tx.call.updateMany({ where: { id: { in: ids } }, data: { transcript: Prisma.DbNull, transcriptDeletedAt: now } });
      removed.call_turns += turns.count;
      removed.transcripts += ids.length;
    });
  }
  // IVR transcripts: what the caller said, and the replies built from it.
  const ivr = await db.ivrCall.updateMany({
    where: { tenantId, createdAt: { lt: cutoff }, NOT: { transcript: { equals: [] } } },
    data: { transcript: [], replyText: null, confirmationResponse: null },
  });
  removed.ivr_transcripts += ivr.count;
}

/**
 * Messages as sent (the sandbox outbox: recipient, subject, body, PDF) and inbound replies (sender, body) of contacts
 * older than the contact-records period. The contact attempt itself (channel, purpose, status, dates) stays.
 */
async function expireContactDetails(deps: RetentionDeps, tenantId: string, cutoff: Date, removed: RetentionRemoved): Promise<void> {
  const { db } = deps;
  let cursor: string | undefined;
  for (;;) {
    const attempts = await db.contactAttempt.findMany({
      where: { tenantId, createdAt: { lt: cutoff }, OR: [{ jobId: { not: null } }, { providerMessageId: { not: null } }] },
      select: { id: true, jobId: true, providerMessageId: true },
      orderBy: { id: 'asc' },
      take: BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (attempts.length === 0) break;
    cursor = attempts[attempts.length - 1]?.id;
    const keys = attempts.map((a) => a.jobId).filter((k): k is string => !!k);
    const providerIds = attempts.map((a) => a.providerMessageId).filter((k): k is string => !!k);
    const sent = await db.sandboxMessage.updateMany({
      where: {
        OR: [{ idempotencyKey: { in: keys } }, { providerMessageId: { in: providerIds } }],
        NOT: { toAddress: REMOVED_BY_RETENTION },
      },
      data: {
        toAddress: REMOVED_BY_RETENTION,
        fromAddress: null,
        subject: null,
        body: REMOVED_BY_RETENTION,
        document: null,
        metadata: Prisma.DbNull,
      },
    });
    removed.sent_messages += sent.count;
  }
  const inbound = await db.inboundMessage.updateMany({
    where: { tenantId, receivedAt: { lt: cutoff }, NOT: { body: REMOVED_BY_RETENTION } },
    data: { body: REMOVED_BY_RETENTION, fromAddress: REMOVED_BY_RETENTION, action: Prisma.DbNull },
  });
  removed.inbound_messages += inbound.count;
}
