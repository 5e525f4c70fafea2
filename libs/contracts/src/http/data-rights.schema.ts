import { z } from 'zod';
import { Channel, Uuid } from './common.schema';

/**
 * Subject access (UK GDPR Art. 15) and erasure (Art. 17) of one debtor. Every instant is ISO 8601 UTC, every date
 * YYYY-MM-DD, money integer pence in the row's own currency. JSON columns are given as stored (`z.unknown()`).
 */
const Instant = z.string();
const Day = z.string();
const Json = z.unknown();

export const DataExportQuery = z.object({ format: z.enum(['json', 'zip']).default('json') }).strict();

const ExportPayment = z.object({
  id: Uuid,
  amount_pence: z.number().int(),
  currency: z.string(),
  method: z.string(),
  external_id: z.string().nullable(),
  status: z.string(),
  refunded_pence: z.number().int(),
  charges_pence: z.number().int(),
  installment_id: z.string().nullable(),
  received_at: Instant,
});

const ExportPlan = z.object({
  id: Uuid,
  status: z.string(),
  total_pence: z.number().int(),
  installment_count: z.number().int(),
  frequency: z.string(),
  first_payment_date: Day,
  source: z.string().nullable(),
  created_at: Instant,
  installments: z.array(
    z.object({
      sequence: z.number().int(),
      due_date: Day,
      amount_pence: z.number().int(),
      status: z.string(),
      paid_at: Instant.nullable(),
    }),
  ),
});

const ExportInvoice = z.object({
  id: Uuid,
  reference: z.string(),
  description: z.string().nullable(),
  amount_pence: z.number().int(),
  paid_pence: z.number().int().describe('Σ payments − refunds − chargebacks applied to the principal'),
  currency: z.string(),
  issue_date: Day,
  due_date: Day,
  status: z.string(),
  created_at: Instant,
  cancelled_at: Instant.nullable(),
  payments: z.array(ExportPayment),
  events: z.array(
    z.object({
      type: z.string(),
      actor: z.string(),
      from_status: z.string().nullable(),
      to_status: z.string().nullable(),
      detail: Json,
      occurred_at: Instant,
    }),
  ),
  disputes: z.array(
    z.object({
      reference: z.string(),
      source: z.string(),
      reason: z.string().nullable(),
      opened_at: Instant,
      resolved_at: Instant.nullable(),
      resolution: z.string().nullable(),
    }),
  ),
  payment_plans: z.array(ExportPlan),
  payment_links: z.array(
    z.object({
      provider: z.string(),
      url: z.string(),
      amount_pence: z.number().int(),
      status: z.string(),
      created_at: Instant,
      paid_at: Instant.nullable(),
    }),
  ),
});

const ComplianceDecision = z.object({
  id: Uuid,
  invoice_id: z.string().nullable(),
  channel: Channel,
  purpose: z.string(),
  actor: z.string(),
  allowed: z.boolean(),
  reasons: Json,
  next_allowed_at: Instant.nullable(),
  rule_set_version: z.string(),
  context: Json,
  evaluated_at: Instant,
});

const ExportContactAttempt = z.object({
  id: Uuid,
  invoice_id: z.string().nullable(),
  channel: Channel,
  purpose: z.string(),
  template_id: z.string().nullable(),
  status: z.string(),
  provider: z.string().nullable(),
  created_at: Instant,
  scheduled_for: Instant.nullable(),
  sent_at: Instant.nullable(),
  delivered_at: Instant.nullable(),
  opened_at: Instant.nullable(),
  clicked_at: Instant.nullable(),
  replied_at: Instant.nullable(),
  completed_at: Instant.nullable(),
  failure_reason: z.string().nullable(),
  detail: Json,
  events: z.array(z.object({ type: z.string(), provider: z.string(), occurred_at: Instant, payload: Json })),
  compliance_decisions: z.array(ComplianceDecision).describe('The decisions that cleared or blocked this contact'),
  message: z
    .object({
      to_address: z.string(),
      from_address: z.string().nullable(),
      subject: z.string().nullable(),
      body: z.string(),
      has_letter_pdf: z.boolean().describe('A letter PDF was produced (in the ZIP export when stored; not inlined in JSON)'),
      created_at: Instant,
    })
    .nullable()
    .describe('The message as sent (the sandbox outbox), when held'),
});

const ExportCall = z.object({
  id: Uuid,
  kind: z.enum(['ai', 'ivr']),
  invoice_id: z.string().nullable(),
  contact_attempt_id: z.string().nullable(),
  status: z.string(),
  answered_by: z.string().nullable(),
  outcome: z.string().nullable(),
  sensitive: z.boolean().describe('Touched special-category data; included because the export is for the data subject'),
  started_at: Instant.nullable(),
  ended_at: Instant.nullable(),
  duration_seconds: z.number().int().nullable(),
  params: Json,
  transcript: Json,
  transcript_deleted_at: Instant.nullable(),
  turns: z.array(z.object({ sequence: z.number().int(), speaker: z.string(), text: z.string(), at: Instant })),
  actions: z.array(z.object({ name: z.string(), arguments: Json, allowed: z.boolean(), result: Json, at: Instant })),
  recording: z
    .object({
      recording_sid: z.string(),
      recording_url: z.string().nullable(),
      stored_encrypted: z.boolean().describe('A copy is held encrypted at rest (in the ZIP export, decrypted)'),
      deleted_at: Instant.nullable(),
    })
    .nullable(),
});

const ExportIvrCall = z.object({
  id: Uuid,
  invoice_id: z.string().nullable(),
  call_sid: z.string().nullable(),
  caller_phone: z.string(),
  customer_name: z.string().nullable(),
  account_data: Json,
  transcript: Json,
  intent: z.string().nullable(),
  payment_plan: Json,
  reply_text: z.string().nullable(),
  status: z.string(),
  confirmation_response: z.string().nullable(),
  negotiation: Json,
  agreed_monthly_pence: z.number().int().nullable(),
  agreed_months: z.number().int().nullable(),
  created_at: Instant,
});

export const DebtorDataExport = z
  .object({
    format: z.literal('recoup.subject-access.v1'),
    generated_at: Instant,
    creditor: z.object({ tenant_id: Uuid, name: z.string() }),
    retained_only: z.boolean().describe('The debtor was erased: only what the law requires to be kept is left'),
    client: z.object({
      id: Uuid,
      name: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      address: Json,
      kind: z.string(),
      nation: z.string(),
      timezone: z.string(),
      jurisdiction: z.string(),
      industry_code: z.string().nullable(),
      debt_adviser: Json,
      created_at: Instant,
      erased_at: Instant.nullable(),
      erasure_reason: z.string().nullable(),
      flags: z.object({
        vulnerable: z.boolean(),
        vulnerability_note: z.string().nullable(),
        mental_capacity_concern: z.boolean(),
        stopped_channels: z.array(Channel),
        preferred_channel: Channel.nullable(),
        preferred_times: Json,
        payment_method_on_file: z.boolean(),
        dispute_opened_at: Instant.nullable(),
        dispute_resolved_at: Instant.nullable(),
        breathing_space_start: Instant.nullable(),
        breathing_space_end: Instant.nullable(),
        breathing_space_reference: z.string().nullable(),
        artificial_voice_consent_at: Instant.nullable(),
      }),
    }),
    invoices: z.array(ExportInvoice),
    promises: z.array(
      z.object({
        invoice_id: z.string().nullable(),
        amount_pence: z.number().int(),
        promised_for: Day,
        source: z.string(),
        status: z.string(),
        created_at: Instant,
      }),
    ),
    contact_attempts: z.array(ExportContactAttempt),
    compliance_decisions_without_attempt: z.array(ComplianceDecision),
    calls: z.array(ExportCall),
    ivr_calls: z.array(ExportIvrCall),
    inbound_messages: z.array(
      z.object({
        channel: Channel,
        provider: z.string(),
        from_address: z.string(),
        to_address: z.string(),
        body: z.string(),
        intent: z.string(),
        action: Json,
        received_at: Instant,
      }),
    ),
    data_rights_requests: z.array(
      z.object({ kind: z.string(), status: z.string(), actor: z.string(), reason: z.string().nullable(), created_at: Instant }),
    ),
  })
  .meta({ id: 'DebtorDataExport' });
export type DebtorDataExport = z.infer<typeof DebtorDataExport>;

export const ErasureRequest = z.object({ reason: z.string().trim().min(3).max(500) }).strict();
export type ErasureRequest = z.infer<typeof ErasureRequest>;

export const LegalHold = z.object({
  kind: z.enum(['open_dispute', 'payment_plan', 'outstanding_balance', 'chargeback_open']),
  invoice_reference: z.string(),
  ends_on: Day.nullable().describe('The date the hold ends at the latest; null when it ends with an event (a dispute outcome)'),
  detail: z.string(),
});

export const ErasureResponse = z
  .object({
    client_id: Uuid,
    erased_at: Instant,
    already_erased: z.boolean(),
    removed: z.record(z.string(), z.number().int()).describe('Rows scrubbed or deleted, per table'),
    kept: z.array(z.string()).describe('What the law requires to be kept, and why'),
    cancelled_contacts: z.number().int(),
    recordings_deleted_at_provider: z.number().int(),
  })
  .meta({ id: 'ErasureResponse' });
export type ErasureResponse = z.infer<typeof ErasureResponse>;

export const ErasureRefusedProblem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.literal(409),
    detail: z.string(),
    request_id: z.string().optional(),
    legal_holds: z.array(LegalHold),
  })
  .meta({ id: 'ErasureRefusedProblem' });
