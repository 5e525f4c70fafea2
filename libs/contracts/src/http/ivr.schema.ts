import { z } from 'zod';
import { Uuid } from './common.schema';

/**
 * What the customer's answer meant (the product's four intents), and `vulnerable`: signs of vulnerability heard by our
 * rules before any classifier (collection paused, free debt advice signposted, the debtor flagged for a person).
 */
export const IvrIntent = z.enum(['willing_to_pay', 'needs_negotiation', 'unclear', 'no_response', 'vulnerable']);
export type IvrIntent = z.infer<typeof IvrIntent>;

export const IvrCallStatus = z.enum([
  'initiated',
  'in_progress',
  'confirmed',
  'needs_negotiation',
  'pending_clarification',
  'no_response',
  'transferred',
  'completed',
  'failed',
]);
export type IvrCallStatus = z.infer<typeof IvrCallStatus>;

export const IvrTranscriptTurn = z.object({
  speaker: z.enum(['agent', 'customer']),
  text: z.string(),
  at: z.string(),
  intent: IvrIntent.optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  classifier: z.enum(['claude', 'local']).optional(),
  /** Why the local classifier answered instead of Claude (sandbox, claude timeout, claude error, claude malformed). */
  note: z.string().optional(),
});
export type IvrTranscriptTurn = z.infer<typeof IvrTranscriptTurn>;

export const IvrPaymentPlan = z.object({
  monthly_amount: z.number(),
  months: z.number().int(),
  /** The last payment when the balance does not divide evenly. */
  final_amount: z.number(),
  total: z.number(),
  settlement_discount_percent: z.number().min(0).max(100).nullable(),
  kind: z.enum(['offered', 'counter_offer', 'customer_proposal', 'settlement']),
});
export type IvrPaymentPlan = z.infer<typeof IvrPaymentPlan>;

/** One call as the dashboard sees it: money in major units, snake_case. */
export const IvrCallView = z
  .object({
    id: Uuid,
    call_sid: z.string().nullable(),
    campaign_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    caller_phone: z.string(),
    customer_name: z.string().nullable(),
    creditor_name: z.string(),
    balance: z.number(),
    currency: z.string(),
    intent: IvrIntent.nullable(),
    status: IvrCallStatus,
    confidence: z.number().int().nullable(),
    payment_plan: IvrPaymentPlan.nullable(),
    reply_text: z.string().nullable(),
    confirmation_response: z.string().nullable(),
    retry_count: z.number().int(),
    classifier: z.string().nullable(),
    amount_agreed: z.number().nullable(),
    /** The call touched special-category data (a vulnerable debtor, health, capacity). */
    sensitive: z.boolean(),
    /**
     * true: a sensitive call's transcript and the debtor's words are withheld. They are read with the header
     * `X-Recoup-Scope: transcripts:sensitive` by the operator or a key with the `sensitive_reader` role.
     */
    transcript_withheld: z.boolean(),
    transcript: z.array(IvrTranscriptTurn),
  })
  .meta({ id: 'IvrCall' });
export type IvrCallView = z.infer<typeof IvrCallView>;

export const IvrCallStats = z.object({
  total: z.number().int(),
  willing_to_pay: z.number().int(),
  needs_negotiation: z.number().int(),
  pending_clarification: z.number().int(),
  no_response: z.number().int(),
  amount_agreed: z.number(),
});
export type IvrCallStats = z.infer<typeof IvrCallStats>;

export const ListIvrCallsQuery = z
  .object({
    status: IvrCallStatus.optional(),
    intent: IvrIntent.optional(),
    /** Calendar dates (Europe/London), inclusive. */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    page: z.coerce.number().int().min(1).default(1),
    page_size: z.coerce.number().int().min(1).max(200).default(50),
    /** Admin key only: one tenant's calls. */
    tenant_id: Uuid.optional(),
  })
  .strict();
export type ListIvrCallsQuery = z.infer<typeof ListIvrCallsQuery>;

export const ListIvrCallsResponse = z
  .object({
    data: z.array(IvrCallView),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    /** Over every call matching the filters, not just this page. */
    stats: IvrCallStats,
  })
  .meta({ id: 'IvrCallList' });
export type ListIvrCallsResponse = z.infer<typeof ListIvrCallsResponse>;

/** A server-sent event of the live stream (`event: call`). */
export const IvrCallEvent = z.object({ type: z.enum(['created', 'updated']), call: IvrCallView });
export type IvrCallEvent = z.infer<typeof IvrCallEvent>;

export const OutboundIvrCallRequest = z
  .object({
    client_id: Uuid,
    invoice_id: Uuid,
    /** Required with the admin key; a tenant key implies its own tenant. */
    tenant_id: Uuid.optional(),
    campaign_id: z.string().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: 'OutboundIvrCallRequest' });
export type OutboundIvrCallRequest = z.infer<typeof OutboundIvrCallRequest>;

export const OutboundIvrCallResult = z
  .object({
    client_id: z.string(),
    invoice_id: z.string(),
    /** queued: will be dialled now; scheduled: compliance allows it later (scheduled_for); refused: not allowed (reasons). */
    outcome: z.enum(['queued', 'scheduled', 'refused']),
    job_id: z.string().nullable(),
    contact_attempt_id: z.string().nullable(),
    scheduled_for: z.string().nullable(),
    reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  })
  .meta({ id: 'OutboundIvrCallResult' });
export type OutboundIvrCallResult = z.infer<typeof OutboundIvrCallResult>;

export const BatchIvrCallsRequest = z
  .object({
    calls: z
      .array(OutboundIvrCallRequest.omit({ campaign_id: true }))
      .min(1)
      .max(1000),
    tenant_id: Uuid.optional(),
    campaign_id: z.string().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: 'BatchIvrCallsRequest' });
export type BatchIvrCallsRequest = z.infer<typeof BatchIvrCallsRequest>;

export const BatchIvrCallsResponse = z
  .object({
    campaign_id: z.string(),
    queued: z.number().int(),
    scheduled: z.number().int(),
    refused: z.number().int(),
    results: z.array(OutboundIvrCallResult),
  })
  .meta({ id: 'BatchIvrCallsResponse' });
export type BatchIvrCallsResponse = z.infer<typeof BatchIvrCallsResponse>;
