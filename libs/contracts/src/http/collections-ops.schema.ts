import { z } from 'zod';
import { IsoDate, MajorAmount, Uuid } from './common.schema';
import { PaymentBand } from './prediction.schema';

export const EscalationAction = z.enum(['email', 'sms', 'ai_call', 'letter']);
export type EscalationAction = z.infer<typeof EscalationAction>;
export const CollectionStage = z.enum(['friendly_reminder', 'gentle_reminder', 'standard_escalation', 'final_notice', 'payment_link']);
export type CollectionStage = z.infer<typeof CollectionStage>;

export const StrategyResponse = z
  .object({
    invoice_id: Uuid,
    probability: z.number().min(0).max(1),
    band: PaymentBand,
    recommended_action: z.string(),
    channel: EscalationAction.nullable(),
    /** Earliest instant the recommended contact is allowed (compliance engine); null when waiting does not help. */
    earliest_compliant_time: z.string().nullable(),
    compliance: z.object({ allowed: z.boolean(), reasons: z.array(z.object({ code: z.string(), message: z.string() })) }),
    /** `model` when the prediction service answered, `fallback` when the rules-based estimate was used. */
    source: z.enum(['model', 'fallback']),
    model_version: z.string().nullable(),
    days_overdue: z.number().int(),
  })
  .meta({ id: 'StrategyResponse' });
export type StrategyResponse = z.infer<typeof StrategyResponse>;

export const EscalateRequest = z
  .object({
    invoice_id: Uuid,
    action: EscalationAction,
    /** Template stage; default follows the invoice's collection stage. */
    stage: CollectionStage.optional(),
  })
  .strict()
  .meta({ id: 'EscalateRequest' });
export type EscalateRequest = z.infer<typeof EscalateRequest>;

export const EscalateResponse = z
  .object({
    job_id: z.string(),
    queue: z.string(),
    status: z.literal('queued'),
    contact_attempt_id: Uuid,
    /** When the job runs: now, or the earliest compliant time. */
    scheduled_for: z.string(),
  })
  .meta({ id: 'EscalateResponse' });

export const PlanFrequency = z.enum(['weekly', 'fortnightly', 'monthly']);
export type PlanFrequency = z.infer<typeof PlanFrequency>;

export const CreatePaymentPlanRequest = z
  .object({
    invoice_id: Uuid,
    frequency: PlanFrequency,
    first_payment_date: IsoDate,
    /** Either explicit instalments (must sum to the balance) or a count to split the balance evenly. */
    installments: z
      .array(z.object({ due_date: IsoDate, amount: MajorAmount }).strict())
      .min(1)
      .max(60)
      .optional(),
    installment_count: z.number().int().min(1).max(60).optional(),
    /** What the debtor says they can afford per instalment: a plan above it is refused (affordability first, CONC 7.3.4R). */
    affordable_amount: MajorAmount.optional(),
    source: z.string().max(40).optional(),
  })
  .strict()
  .refine((b) => (b.installments ? 1 : 0) + (b.installment_count ? 1 : 0) === 1, {
    path: ['installments'],
    message: 'give either installments or installment_count',
  })
  .meta({ id: 'CreatePaymentPlanRequest' });
export type CreatePaymentPlanRequest = z.infer<typeof CreatePaymentPlanRequest>;

export const PaymentPlanResponse = z
  .object({
    id: Uuid,
    invoice_id: Uuid,
    status: z.enum(['proposed', 'active', 'completed', 'defaulted', 'cancelled']),
    total: z.number(),
    installment_count: z.number().int(),
    frequency: z.string(),
    first_payment_date: z.string(),
    installments: z.array(
      z.object({
        id: Uuid,
        sequence: z.number().int(),
        due_date: z.string(),
        amount: z.number(),
        status: z.enum(['due', 'paid', 'missed']),
        paid_at: z.string().nullable(),
      }),
    ),
    created_at: z.string(),
  })
  .meta({ id: 'PaymentPlan' });

/** Rule-set overrides as JSON; their meaning is checked by the compliance engine, not here. */
export const TenantComplianceOverrides = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 20_000, 'at most 20,000 characters of JSON');

/**
 * How a debtor's due reminders of one automatic run go out: `per_debtor` (the default) sends one statement per debtor
 * and channel listing every overdue invoice (one contact to the compliance engine); `per_invoice` one message each.
 */
export const ReminderGrouping = z.enum(['per_debtor', 'per_invoice']);

export const CreateTenantRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    tier: z.enum(['starter', 'growth', 'pro']).default('starter'),
    email: z.email().optional(),
    /**
     * The operator's overrides of the tenant's compliance rules (camelCase keys of the rule set, e.g.
     * `{ "contactHours": { "enabled": false } }`); checked against every profile, audited under a
     * distinct rule-set version.
     */
    compliance_overrides: TenantComplianceOverrides.optional(),
    reminder_grouping: ReminderGrouping.optional(),
  })
  .strict()
  .meta({ id: 'CreateTenantRequest' });

export const IssuedApiKeyResponse = z.object({
  id: Uuid,
  key: z.string().describe('Shown once; store it now'),
  prefix: z.string(),
  created_at: z.string(),
});

export const CreateTenantResponse = z
  .object({ tenant: z.object({ id: Uuid, name: z.string(), tier: z.string(), created_at: z.string() }), api_key: IssuedApiKeyResponse })
  .meta({ id: 'CreateTenantResponse' });

/** GET /api/admin/tenants: the operator's tenant list (the console's tenant picker), newest first. */
export const ListTenantsQuery = z
  .object({
    /** The tenant's name, or the start of it (case-insensitive). */
    name: z.string().trim().min(1).max(200).optional(),
    /** Opaque cursor from the previous page's next_cursor. */
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type ListTenantsQuery = z.infer<typeof ListTenantsQuery>;

export const TenantSummary = z
  .object({ id: Uuid, name: z.string(), tier: z.enum(['starter', 'growth', 'pro']), created_at: z.string() })
  .meta({ id: 'TenantSummary' });
export type TenantSummary = z.infer<typeof TenantSummary>;

export const TenantListResponse = z.object({ data: z.array(TenantSummary), next_cursor: z.string().nullable() }).meta({ id: 'TenantList' });
export type TenantListResponse = z.infer<typeof TenantListResponse>;

export const AdminMetricsResponse = z
  .object({
    tenants: z.number().int(),
    invoices: z.record(z.string(), z.number().int()),
    outstanding: z.number(),
    collected_30d: z.number(),
    contact_attempts_30d: z.record(z.string(), z.record(z.string(), z.number().int())),
    queues: z.record(z.string(), z.record(z.string(), z.number().int())),
    webhook_events_24h: z.number().int(),
  })
  .meta({ id: 'AdminMetrics' });
