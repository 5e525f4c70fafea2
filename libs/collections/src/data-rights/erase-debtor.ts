import { Prisma } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps, type Tx } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { lockClient } from '../ledger';
import { findLegalHolds, LegalHoldsError, type LegalHold } from './legal-holds';
import { DebtorIdentifiers, ERASED, ERASED_DEBTOR_NAME, holdsPersonalData, scrubJson, scrubNullableText, scrubText } from './personal-data';

export interface EraseDebtorInput {
  tenantId: string;
  clientId: string;
  actor: Actor;
  reason: string;
}

export interface EraseDebtorResult {
  clientId: string;
  erasedAt: Date;
  /** The debtor had been erased before: nothing was changed this time. */
  alreadyErased: boolean;
  /** Rows scrubbed or deleted, per table. */
  removed: Record<string, number>;
  /** What the law requires to be kept, and why. */
  kept: string[];
  cancelledContacts: number;
  /**
   * Recordings still held at the telephony provider: the caller deletes them there (CallRecordings.deleteRecording)
   * and then calls `recordRecordingsDeleted`. Our own encrypted copies are already gone.
   */
  providerRecordingSids: string[];
}

/** What erasure keeps (see libs/collections README, "Subject access and erasure"). */
export const KEPT_AFTER_ERASURE: readonly string[] = [
  'invoices, payments, refunds and chargebacks with their amounts and dates: financial records (Limitation Act 1980 s.5; HMRC record keeping, 6 years)',
  'the invoice timeline (statuses, amounts, dates) without free text: the audit trail of the ledger',
  'the fact of each contact (channel, purpose, status, dates) and each compliance decision (rules, outcome) without contact details: evidence of lawful collection (CONC 7, Limitation Act 1980 s.5)',
  'payment plans, instalments, promises and the dates of disputes without their reasons',
  'the client row as "Erased debtor" with its kind, nation and flags, so the ledger still has an owner',
];

const json = (value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull =>
  value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue);

/**
 * Erasure (UK GDPR Art. 17) of one debtor of the tenant. Legal holds first: while one applies the erasure is refused
 * (a LegalHoldsError naming each hold and its end date) and the refusal is audited. Otherwise, in one transaction: the
 * client anonymised, the debtor's personal data scrubbed from every table that holds it (transcripts and turns, IVR
 * records, messages in and out, contact details in attempts, events, compliance contexts, dispute reasons, timeline
 * free text, webhook payloads of the debtor's payments), encrypted recordings and debtor link tokens deleted, queued
 * contacts cancelled (their jobs removed after the commit). The ledger and the fact of each contact are kept.
 */
export async function eraseDebtor(deps: CollectionsDeps, input: EraseDebtorInput): Promise<EraseDebtorResult> {
  const now = nowOf(deps);
  const { tenantId, clientId } = input;
  if (!input.reason.trim()) throw CollectionsError.invalid('A reason is required', 'reason');
  let cancelled: CancelledContact[] = [];
  let refused: LegalHold[] = [];
  const result = await deps.db.$transaction(
    async (tx): Promise<EraseDebtorResult | null> => {
      const client = await lockClient(tx, tenantId, clientId);
      if (client.erasedAt) {
        return {
          clientId,
          erasedAt: client.erasedAt,
          alreadyErased: true,
          removed: {},
          kept: [...KEPT_AFTER_ERASURE],
          cancelledContacts: 0,
          providerRecordingSids: [],
        };
      }
      const ivrIdentities = await tx.ivrCall.findMany({ where: { tenantId, clientId }, select: { callerPhone: true, customerName: true } });
      const ids = DebtorIdentifiers.of(client, {
        names: ivrIdentities.map((v) => v.customerName),
        phones: ivrIdentities.map((v) => v.callerPhone),
      });
      // The reason is kept for accountability (Art. 5(2)); it must not quote the debtor.
      const reason = scrubText(input.reason, ids);
      const holds = await findLegalHolds(tx, tenantId, clientId);
      if (holds.length > 0) {
        refused = holds;
        await tx.dataRightsRequest.create({
          data: {
            tenantId,
            clientId,
            kind: 'erasure',
            status: 'refused',
            actor: input.actor,
            reason,
            detail: { legal_holds: holds.map((h) => ({ kind: h.kind, invoice_reference: h.invoiceReference, ends_on: h.endsOn })) },
            createdAt: now,
          },
        });
        return null;
      }
      cancelled = await cancelPendingContactsIn(tx, { tenantId, clientId, reason: 'debtor erased' }, now);
      const removed = await scrubDebtor(tx, { tenantId, clientId, ids, now, addresses: [client.phone, client.email] });
      const providerRecordingSids = (
        await tx.call.findMany({
          where: { tenantId, clientId, recordingSid: { not: null }, recordingDeletedAt: null },
          select: { recordingSid: true },
        })
      ).map((c) => c.recordingSid as string);
      await tx.client.update({
        where: { id: clientId },
        data: {
          name: ERASED_DEBTOR_NAME,
          email: null,
          phone: null,
          address: Prisma.DbNull,
          postcode: null,
          dateOfBirth: null,
          debtAdviser: Prisma.DbNull,
          vulnerabilityNote: null,
          preferredTimes: Prisma.DbNull,
          industryCode: null,
          erasedAt: now,
          erasureReason: reason,
        },
      });
      await tx.dataRightsRequest.create({
        data: {
          tenantId,
          clientId,
          kind: 'erasure',
          status: 'completed',
          actor: input.actor,
          reason,
          detail: { removed, cancelled_contacts: cancelled.length, provider_recordings: providerRecordingSids.length },
          createdAt: now,
        },
      });
      return {
        clientId,
        erasedAt: now,
        alreadyErased: false,
        removed,
        kept: [...KEPT_AFTER_ERASURE],
        cancelledContacts: cancelled.length,
        providerRecordingSids,
      };
    },
    { timeout: 30_000 },
  );
  if (!result) throw new LegalHoldsError(refused);
  await removeCancelledJobs(deps, cancelled);
  return result;
}

/** Marks recordings deleted at the provider (after CallRecordings.deleteRecording answered). */
export async function recordRecordingsDeleted(deps: CollectionsDeps, tenantId: string, recordingSids: string[]): Promise<number> {
  if (recordingSids.length === 0) return 0;
  const { count } = await deps.db.call.updateMany({
    where: { tenantId, recordingSid: { in: recordingSids }, recordingDeletedAt: null },
    data: { recordingDeletedAt: nowOf(deps) },
  });
  return count;
}

interface ScrubScope {
  tenantId: string;
  clientId: string;
  ids: DebtorIdentifiers;
  now: Date;
  addresses: Array<string | null>;
}

/** Scrubs each table's personal data for the debtor; returns the rows changed per table. */
async function scrubDebtor(tx: Tx, s: ScrubScope): Promise<Record<string, number>> {
  const { tenantId, clientId, ids, now } = s;
  const removed: Record<string, number> = {};
  const count = (table: string, n: number) => {
    if (n > 0) removed[table] = (removed[table] ?? 0) + n;
  };

  // Contact attempts: the fact (channel, purpose, status, dates) stays; the detail loses contact details and free text.
  const attempts = await tx.contactAttempt.findMany({
    where: { tenantId, clientId },
    select: { id: true, jobId: true, detail: true, failureReason: true },
  });
  for (const a of attempts) {
    const failureReason = scrubNullableText(a.failureReason, ids);
    if (holdsPersonalData(a.detail, ids) || failureReason !== a.failureReason) {
      await tx.contactAttempt.update({ where: { id: a.id }, data: { detail: json(scrubJson(a.detail, ids)), failureReason } });
      count('contact_attempts', 1);
    }
  }
  const attemptIds = attempts.map((a) => a.id);
  const events = await tx.contactEvent.findMany({ where: { contactAttemptId: { in: attemptIds } }, select: { id: true, payload: true } });
  for (const e of events) {
    if (!holdsPersonalData(e.payload, ids)) continue;
    await tx.contactEvent.update({ where: { id: e.id }, data: { payload: json(scrubJson(e.payload, ids)) } });
    count('contact_events', 1);
  }

  // Messages as sent (the outbox, keyed by the attempts' job ids): no address, no body, no letter PDF.
  const jobIds = attempts.map((a) => a.jobId).filter((j): j is string => !!j);
  if (jobIds.length) {
    const messages = await tx.sandboxMessage.findMany({ where: { idempotencyKey: { in: jobIds } }, select: { id: true, metadata: true } });
    for (const m of messages) {
      await tx.sandboxMessage.update({
        where: { id: m.id },
        data: { toAddress: ERASED, subject: null, body: ERASED, document: null, metadata: json(scrubJson(m.metadata, ids)) },
      });
    }
    count('sandbox_messages', messages.length);
  }

  // Compliance decisions: the rules and the outcome stay; the facts they rested on lose the recipient and the like.
  const decisions = await tx.complianceAudit.findMany({
    where: { tenantId, clientId },
    select: { id: true, context: true, reasons: true },
  });
  for (const d of decisions) {
    if (!holdsPersonalData(d.context, ids) && !holdsPersonalData(d.reasons, ids)) continue;
    const reasons = JSON.parse(JSON.stringify(d.reasons), (_k, v) => (typeof v === 'string' ? scrubText(v, ids) : v));
    await tx.complianceAudit.update({ where: { id: d.id }, data: { context: json(scrubJson(d.context, ids)), reasons } });
    count('compliance_audit', 1);
  }

  // Calls: transcripts and turns deleted, tool arguments and results scrubbed, our encrypted recordings deleted.
  const calls = await tx.call.findMany({ where: { tenantId, clientId }, select: { id: true, params: true, outcome: true } });
  const callIds = calls.map((c) => c.id);
  for (const c of calls) {
    await tx.call.update({
      where: { id: c.id },
      data: {
        transcript: Prisma.DbNull,
        transcriptDeletedAt: now,
        params: json(scrubJson(c.params, ids)),
        outcome: scrubNullableText(c.outcome, ids),
        recordingUrl: null,
      },
    });
  }
  count('calls', calls.length);
  count('call_turns', (await tx.callTurn.deleteMany({ where: { callId: { in: callIds } } })).count);
  const actions = await tx.callAction.findMany({ where: { callId: { in: callIds } }, select: { id: true, arguments: true, result: true } });
  for (const a of actions) {
    await tx.callAction.update({
      where: { id: a.id },
      data: { arguments: (scrubJson(a.arguments, ids) ?? {}) as Prisma.InputJsonValue, result: json(scrubJson(a.result, ids)) },
    });
  }
  count('call_actions', actions.length);
  count('stored_recordings', (await tx.storedRecording.deleteMany({ where: { tenantId, callId: { in: callIds } } })).count);

  // IVR calls: the outcome (status, intent, agreed plan figures) stays; who was called and what was said goes.
  const ivr = await tx.ivrCall.findMany({
    where: { tenantId, clientId },
    select: { id: true, accountData: true, paymentPlan: true, negotiation: true },
  });
  for (const v of ivr) {
    await tx.ivrCall.update({
      where: { id: v.id },
      data: {
        callerPhone: ERASED,
        customerName: null,
        accountData: (scrubJson(v.accountData, ids) ?? {}) as Prisma.InputJsonValue,
        transcript: [],
        paymentPlan: json(scrubJson(v.paymentPlan, ids)),
        negotiation: json(scrubJson(v.negotiation, ids)),
        replyText: null,
        confirmationResponse: null,
      },
    });
  }
  count('ivr_calls', ivr.length);

  // Inbound messages: the debtor's, and any not yet matched that came from one of the debtor's addresses.
  const addresses = s.addresses.filter((a): a is string => !!a);
  const inbound = await tx.inboundMessage.findMany({
    where: {
      OR: [
        { tenantId, clientId },
        ...(addresses.length ? [{ clientId: null, fromAddress: { in: addresses }, OR: [{ tenantId }, { tenantId: null }] }] : []),
      ],
    },
    select: { id: true, action: true },
  });
  for (const m of inbound) {
    await tx.inboundMessage.update({
      where: { id: m.id },
      data: { fromAddress: ERASED, body: ERASED, action: json(scrubJson(m.action, ids)) },
    });
  }
  count('inbound_messages', inbound.length);

  // The invoices: the ledger stays; the free text of disputes and the timeline goes; link tokens and payment page
  // URLs go (a link would open a page about the debt).
  const invoices = await tx.invoice.findMany({
    where: { tenantId, clientId },
    select: { id: true, description: true, payments: { select: { externalId: true } }, paymentLinks: { select: { externalId: true } } },
  });
  const invoiceIds = invoices.map((i) => i.id);
  for (const inv of invoices) {
    const description = scrubNullableText(inv.description, ids);
    if (description !== inv.description) {
      await tx.invoice.update({ where: { id: inv.id }, data: { description } });
      count('invoices', 1);
    }
  }
  const disputes = await tx.dispute.findMany({
    where: { invoiceId: { in: invoiceIds } },
    select: { id: true, reason: true, resolution: true },
  });
  for (const d of disputes) {
    if (d.reason === null && d.resolution === null) continue;
    await tx.dispute.update({ where: { id: d.id }, data: { reason: null, resolution: d.resolution === null ? null : ERASED } });
    count('disputes', 1);
  }
  const timeline = await tx.invoiceEvent.findMany({ where: { invoiceId: { in: invoiceIds } }, select: { id: true, detail: true } });
  for (const e of timeline) {
    if (!holdsPersonalData(e.detail, ids)) continue;
    await tx.invoiceEvent.update({ where: { id: e.id }, data: { detail: json(scrubJson(e.detail, ids)) } });
    count('invoice_events', 1);
  }
  count('payment_links', (await tx.paymentLink.updateMany({ where: { invoiceId: { in: invoiceIds } }, data: { url: '' } })).count);
  count('debtor_link_tokens', (await tx.debtorLinkToken.deleteMany({ where: { invoiceId: { in: invoiceIds } } })).count);

  // Webhook payloads of the debtor's payments (a Stripe event may carry the customer's email, name and address).
  const externalIds = invoices.flatMap((i) => [...i.payments.map((p) => p.externalId), ...i.paymentLinks.map((l) => l.externalId)]);
  const needles = [...externalIds.filter((x): x is string => !!x), ...invoiceIds];
  if (needles.length) {
    const hooks = await tx.$queryRaw<{ id: string; payload: unknown }[]>`
      SELECT id, payload FROM webhook_events
      WHERE payload IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${needles}::text[]) n WHERE payload::text LIKE '%' || n || '%')`;
    for (const h of hooks) {
      if (!holdsPersonalData(h.payload, ids)) continue;
      await tx.webhookEvent.update({ where: { id: h.id }, data: { payload: json(scrubJson(h.payload, ids)) } });
      count('webhook_events', 1);
    }
  }

  // Earlier data-rights requests may quote the debtor in their reason.
  const requests = await tx.dataRightsRequest.findMany({ where: { tenantId, clientId }, select: { id: true, reason: true } });
  for (const r of requests) {
    const reason = scrubNullableText(r.reason, ids);
    if (reason !== r.reason) await tx.dataRightsRequest.update({ where: { id: r.id }, data: { reason } });
  }
  return removed;
}
