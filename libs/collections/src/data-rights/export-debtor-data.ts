import type { DebtorDataExport } from '@recoup/contracts';
import type { ComplianceAuditModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { isoDate } from '../london-time';

export interface ExportDebtorDataInput {
  tenantId: string;
  clientId: string;
  actor: Actor;
  reason?: string | null;
}

export interface ExportDebtorDataResult {
  document: DebtorDataExport;
  /** Encrypted recordings held for the debtor's calls (their ids), for a ZIP export to decrypt. */
  storedRecordingIds: string[];
  /** Letters whose PDF is held (sandbox outbox ids), for a ZIP export. */
  letterMessageIds: string[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The contact attempt a compliance decision was made for, as the engine records it in the decision's context. */
function attemptOf(decision: ComplianceAuditModel): string | null {
  const ctx = decision.context as Record<string, unknown> | null;
  const id = ctx && typeof ctx === 'object' ? ctx['contact_attempt_id'] : null;
  return typeof id === 'string' ? id : null;
}

function decisionJson(a: ComplianceAuditModel) {
  return {
    id: a.id,
    invoice_id: a.invoiceId,
    channel: a.channel,
    purpose: a.purpose,
    actor: a.actor,
    allowed: a.allowed,
    reasons: a.reasons,
    next_allowed_at: iso(a.nextAllowedAt),
    rule_set_version: a.ruleSetVersion,
    context: a.context,
    evaluated_at: a.evaluatedAt.toISOString(),
  };
}

/**
 * Subject access (UK GDPR Art. 15): everything held about one debtor of the tenant as one document — the client record
 * and its flags, invoices with their ledger and timeline, every contact attempt with its compliance decisions and the
 * message as sent, calls with transcripts (sensitive ones too: the export is for the data subject), recording
 * references, IVR records, plans, promises, disputes and inbound messages. Audited by a data_rights_requests row whose
 * detail holds counts only. An erased debtor's export is what the erasure kept.
 */
export async function exportDebtorData(deps: CollectionsDeps, input: ExportDebtorDataInput): Promise<ExportDebtorDataResult> {
  const { db } = deps;
  const now = nowOf(deps);
  const { tenantId, clientId } = input;
  const client = await db.client.findFirst({ where: { id: clientId, tenantId }, include: { tenant: { select: { name: true } } } });
  if (!client) throw CollectionsError.notFound('client', 'client_id');

  const [invoices, attempts, decisions, calls, ivrCalls, promises, requests] = await Promise.all([
    db.invoice.findMany({
      where: { tenantId, clientId },
      orderBy: [{ issueDate: 'asc' }, { reference: 'asc' }],
      include: {
        payments: { orderBy: { receivedAt: 'asc' } },
        events: { orderBy: { occurredAt: 'asc' } },
        disputes: { orderBy: { openedAt: 'asc' } },
        paymentPlans: { orderBy: { createdAt: 'asc' }, include: { installments: { orderBy: { sequence: 'asc' } } } },
        paymentLinks: { orderBy: { createdAt: 'asc' } },
      },
    }),
    db.contactAttempt.findMany({
      where: { tenantId, clientId },
      orderBy: { createdAt: 'asc' },
      include: { events: { orderBy: { occurredAt: 'asc' } } },
    }),
    db.complianceAudit.findMany({ where: { tenantId, clientId }, orderBy: { evaluatedAt: 'asc' } }),
    db.call.findMany({
      where: { tenantId, clientId },
      orderBy: { createdAt: 'asc' },
      include: {
        turns: { orderBy: { sequence: 'asc' } },
        actions: { orderBy: { createdAt: 'asc' } },
        recordings: { select: { id: true, recordingSid: true } },
      },
    }),
    db.ivrCall.findMany({ where: { tenantId, clientId }, orderBy: { createdAt: 'asc' } }),
    db.paymentPromise.findMany({ where: { tenantId, clientId }, orderBy: { createdAt: 'asc' } }),
    db.dataRightsRequest.findMany({ where: { tenantId, clientId }, orderBy: { createdAt: 'asc' } }),
  ]);
  // Messages as sent: the outbox keys each send by the attempt's job id. Inbound messages: linked to the debtor, or
  // (before a match was made) from one of the debtor's addresses to this tenant.
  const jobIds = attempts.map((a) => a.jobId).filter((j): j is string => !!j);
  const addresses = [client.phone, client.email].filter((a): a is string => !!a);
  const [messages, inbound] = await Promise.all([
    jobIds.length ? db.sandboxMessage.findMany({ where: { idempotencyKey: { in: jobIds } }, omit: { document: true } }) : [],
    db.inboundMessage.findMany({
      where: {
        OR: [
          { tenantId, clientId },
          ...(addresses.length ? [{ clientId: null, fromAddress: { in: addresses }, OR: [{ tenantId }, { tenantId: null }] }] : []),
        ],
      },
      orderBy: { receivedAt: 'asc' },
    }),
  ]);
  const letters = jobIds.length
    ? await db.sandboxMessage.findMany({
        where: { idempotencyKey: { in: jobIds }, document: { not: null } },
        select: { id: true, idempotencyKey: true },
      })
    : [];
  const letterKeys = new Set(letters.map((l) => l.idempotencyKey));
  const messageByJob = new Map(messages.map((m) => [m.idempotencyKey, m]));
  const decisionsByAttempt = new Map<string, ComplianceAuditModel[]>();
  const attemptIds = new Set(attempts.map((a) => a.id));
  const loose: ComplianceAuditModel[] = [];
  for (const d of decisions) {
    const attemptId = attemptOf(d);
    if (attemptId && attemptIds.has(attemptId)) decisionsByAttempt.set(attemptId, [...(decisionsByAttempt.get(attemptId) ?? []), d]);
    else loose.push(d);
  }

  const document: DebtorDataExport = {
    format: 'recoup.subject-access.v1',
    generated_at: now.toISOString(),
    creditor: { tenant_id: tenantId, name: client.tenant.name },
    retained_only: client.erasedAt !== null,
    client: {
      id: client.id,
      name: client.name,
      email: client.email,
      phone: client.phone,
      address: client.address,
      kind: client.kind,
      nation: client.nation,
      timezone: client.timezone,
      jurisdiction: client.jurisdiction,
      industry_code: client.industryCode,
      debt_adviser: client.debtAdviser,
      created_at: client.createdAt.toISOString(),
      erased_at: iso(client.erasedAt),
      erasure_reason: client.erasureReason,
      flags: {
        vulnerable: client.vulnerable,
        vulnerability_note: client.vulnerabilityNote,
        mental_capacity_concern: client.mentalCapacityConcern,
        stopped_channels: client.stoppedChannels,
        preferred_channel: client.preferredChannel,
        preferred_times: client.preferredTimes,
        payment_method_on_file: client.paymentMethodOnFile,
        dispute_opened_at: iso(client.disputeOpenedAt),
        dispute_resolved_at: iso(client.disputeResolvedAt),
        breathing_space_start: iso(client.breathingSpaceStart),
        breathing_space_end: iso(client.breathingSpaceEnd),
        breathing_space_reference: client.breathingSpaceReference,
        artificial_voice_consent_at: iso(client.artificialVoiceConsentAt),
      },
    },
    invoices: invoices.map((inv) => ({
      id: inv.id,
      reference: inv.reference,
      description: inv.description,
      amount_pence: inv.amountPence,
      paid_pence: inv.paidPence,
      currency: inv.currency,
      issue_date: isoDate(inv.issueDate),
      due_date: isoDate(inv.dueDate),
      status: inv.status,
      created_at: inv.createdAt.toISOString(),
      cancelled_at: iso(inv.cancelledAt),
      payments: inv.payments.map((p) => ({
        id: p.id,
        amount_pence: p.amountPence,
        currency: p.currency,
        method: p.method,
        external_id: p.externalId,
        status: p.status,
        refunded_pence: p.refundedPence,
        charges_pence: p.chargesPence,
        installment_id: p.installmentId,
        received_at: p.receivedAt.toISOString(),
      })),
      events: inv.events.map((e) => ({
        type: e.type,
        actor: e.actor,
        from_status: e.fromStatus,
        to_status: e.toStatus,
        detail: e.detail,
        occurred_at: e.occurredAt.toISOString(),
      })),
      disputes: inv.disputes.map((d) => ({
        reference: d.reference,
        source: d.source,
        reason: d.reason,
        opened_at: d.openedAt.toISOString(),
        resolved_at: iso(d.resolvedAt),
        resolution: d.resolution,
      })),
      payment_plans: inv.paymentPlans.map((plan) => ({
        id: plan.id,
        status: plan.status,
        total_pence: plan.totalPence,
        installment_count: plan.installmentCount,
        frequency: plan.frequency,
        first_payment_date: isoDate(plan.firstPaymentDate),
        source: plan.source,
        created_at: plan.createdAt.toISOString(),
        installments: plan.installments.map((i) => ({
          sequence: i.sequence,
          due_date: isoDate(i.dueDate),
          amount_pence: i.amountPence,
          status: i.status,
          paid_at: iso(i.paidAt),
        })),
      })),
      payment_links: inv.paymentLinks.map((l) => ({
        provider: l.provider,
        url: l.url,
        amount_pence: l.amountPence,
        status: l.status,
        created_at: l.createdAt.toISOString(),
        paid_at: iso(l.paidAt),
      })),
    })),
    promises: promises.map((p) => ({
      invoice_id: p.invoiceId,
      amount_pence: p.amountPence,
      promised_for: isoDate(p.promisedFor),
      source: p.source,
      status: p.status,
      created_at: p.createdAt.toISOString(),
    })),
    contact_attempts: attempts.map((a) => {
      const message = a.jobId ? messageByJob.get(a.jobId) : undefined;
      return {
        id: a.id,
        invoice_id: a.invoiceId,
        channel: a.channel,
        purpose: a.purpose,
        template_id: a.templateId,
        status: a.status,
        provider: a.provider,
        created_at: a.createdAt.toISOString(),
        scheduled_for: iso(a.scheduledFor),
        sent_at: iso(a.sentAt),
        delivered_at: iso(a.deliveredAt),
        opened_at: iso(a.openedAt),
        clicked_at: iso(a.clickedAt),
        replied_at: iso(a.repliedAt),
        completed_at: iso(a.completedAt),
        failure_reason: a.failureReason,
        detail: a.detail,
        events: a.events.map((e) => ({ type: e.type, provider: e.provider, occurred_at: e.occurredAt.toISOString(), payload: e.payload })),
        compliance_decisions: (decisionsByAttempt.get(a.id) ?? []).map(decisionJson),
        message: message
          ? {
              to_address: message.toAddress,
              from_address: message.fromAddress,
              subject: message.subject,
              body: message.body,
              has_letter_pdf: letterKeys.has(message.idempotencyKey),
              created_at: message.createdAt.toISOString(),
            }
          : null,
      };
    }),
    compliance_decisions_without_attempt: loose.map(decisionJson),
    calls: calls.map((c) => ({
      id: c.id,
      kind: c.kind,
      invoice_id: c.invoiceId,
      contact_attempt_id: c.contactAttemptId,
      status: c.status,
      answered_by: c.answeredBy,
      outcome: c.outcome,
      sensitive: c.sensitive,
      started_at: iso(c.startedAt),
      ended_at: iso(c.endedAt),
      duration_seconds: c.durationSeconds,
      params: c.params,
      transcript: c.transcript,
      transcript_deleted_at: iso(c.transcriptDeletedAt),
      turns: c.turns.map((t) => ({ sequence: t.sequence, speaker: t.speaker, text: t.text, at: t.createdAt.toISOString() })),
      actions: c.actions.map((x) => ({
        name: x.name,
        arguments: x.arguments,
        allowed: x.allowed,
        result: x.result,
        at: x.createdAt.toISOString(),
      })),
      recording: c.recordingSid
        ? {
            recording_sid: c.recordingSid,
            recording_url: c.recordingUrl,
            stored_encrypted: c.recordings.length > 0,
            deleted_at: iso(c.recordingDeletedAt),
          }
        : null,
    })),
    ivr_calls: ivrCalls.map((v) => ({
      id: v.id,
      invoice_id: v.invoiceId,
      call_sid: v.callSid,
      caller_phone: v.callerPhone,
      customer_name: v.customerName,
      account_data: v.accountData,
      transcript: v.transcript,
      intent: v.intent,
      payment_plan: v.paymentPlan,
      reply_text: v.replyText,
      status: v.status,
      confirmation_response: v.confirmationResponse,
      negotiation: v.negotiation,
      agreed_monthly_pence: v.agreedMonthlyPence,
      agreed_months: v.agreedMonths,
      created_at: v.createdAt.toISOString(),
    })),
    inbound_messages: inbound.map((m) => ({
      channel: m.channel,
      provider: m.provider,
      from_address: m.fromAddress,
      to_address: m.toAddress,
      body: m.body,
      intent: m.intent,
      action: m.action,
      received_at: m.receivedAt.toISOString(),
    })),
    data_rights_requests: requests.map((r) => ({
      kind: r.kind,
      status: r.status,
      actor: r.actor,
      reason: r.reason,
      created_at: r.createdAt.toISOString(),
    })),
  };

  const storedRecordingIds = calls.flatMap((c) => c.recordings.map((r) => r.id));
  await db.dataRightsRequest.create({
    data: {
      tenantId,
      clientId,
      kind: 'export',
      status: 'completed',
      actor: input.actor,
      reason: input.reason ?? null,
      detail: {
        erased: client.erasedAt !== null,
        invoices: invoices.length,
        payments: invoices.reduce((n, i) => n + i.payments.length, 0),
        contact_attempts: attempts.length,
        messages: messages.length,
        compliance_decisions: decisions.length,
        calls: calls.length,
        call_turns: calls.reduce((n, c) => n + c.turns.length, 0),
        sensitive_calls: calls.filter((c) => c.sensitive).length,
        stored_recordings: storedRecordingIds.length,
        ivr_calls: ivrCalls.length,
        inbound_messages: inbound.length,
        payment_plans: invoices.reduce((n, i) => n + i.paymentPlans.length, 0),
        promises: promises.length,
        disputes: invoices.reduce((n, i) => n + i.disputes.length, 0),
      },
      createdAt: now,
    },
  });
  return { document, storedRecordingIds, letterMessageIds: letters.map((l) => l.id) };
}
