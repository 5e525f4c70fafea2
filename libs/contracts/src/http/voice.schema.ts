import { z } from 'zod';
import { E164, IsoDate, MajorAmount, Uuid } from './common.schema';

/** POST /initiate-call (voice-agent): the product's request, as other backends send it. */
export const InitiateCallRequest = z
  .object({
    recipient_phone: E164,
    recipient_name: z.string().trim().min(1).max(120),
    invoice_reference: z.string().trim().min(1).max(64),
    amount: MajorAmount,
    due_date: IsoDate,
    days_past_due: z.number().int().min(0).max(36500),
    business_name: z.string().trim().min(1).max(120),
    invoice_id: Uuid,
    /** The tenant (the product calls the account holder a freelancer). */
    freelancer_id: Uuid,
    enable_payment_during_call: z.boolean().default(false),
  })
  .strict()
  .meta({
    id: 'InitiateCallRequest',
    example: {
      recipient_phone: '+447700900123',
      recipient_name: 'John Smith',
      invoice_reference: 'INV-2026-001',
      amount: 1500.0,
      due_date: '2026-10-15',
      days_past_due: 30,
      business_name: 'Acme Consulting Ltd',
      invoice_id: '7d1f5c2e-3b4a-4c8d-9e0f-1a2b3c4d5e6f',
      freelancer_id: '2b9e4f6a-8c1d-4e3f-a5b7-c9d0e1f2a3b4',
      enable_payment_during_call: true,
    },
  });
export type InitiateCallRequest = z.infer<typeof InitiateCallRequest>;

/** GBP in major units, rounded to 3 decimals (per-minute prices are fractions of a penny). */
const Gbp = z.number().nonnegative();

export const CallCostEstimate = z
  .object({
    twilio_call_cost: Gbp,
    twilio_sms_cost: Gbp,
    recording_cost: Gbp,
    openai_cost: Gbp,
    total: Gbp,
  })
  .meta({
    id: 'CallCostEstimate',
    example: { twilio_call_cost: 0.056, twilio_sms_cost: 0.04, recording_cost: 0.01, openai_cost: 0.3, total: 0.406 },
  });
export type CallCostEstimate = z.infer<typeof CallCostEstimate>;

export const InitiateCallResponse = z.object({ success: z.literal(true), call_sid: z.string(), estimated_cost: CallCostEstimate }).meta({
  id: 'InitiateCallResponse',
  example: {
    success: true,
    call_sid: 'CA1234567890abcdef1234567890abcdef',
    estimated_cost: { twilio_call_cost: 0.056, twilio_sms_cost: 0.04, recording_cost: 0.01, openai_cost: 0.3, total: 0.406 },
  },
});
export type InitiateCallResponse = z.infer<typeof InitiateCallResponse>;

export const CallOutcome = z.enum([
  'payment_promised',
  'payment_plan_agreed',
  'paid_during_call',
  'disputed',
  'callback_requested',
  /** The debtor asked us to stop calling: AI and IVR calls are stopped through the collections core (CONC 7.9). */
  'opted_out',
  /** Put through to a person (warm transfer to the creditor's number). */
  'transferred',
  /** Signs of vulnerability: collection paused, free debt advice signposted, the case flagged for a person (FCA FG21/1). */
  'vulnerable',
  'refused',
  'no_answer',
  'voicemail',
  'failed',
]);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const CallStatusResponse = z
  .object({
    call_sid: z.string(),
    /** initiated | ringing | in-progress | completed | busy | no-answer | failed | canceled */
    status: z.string(),
    /** Seconds, once known. */
    duration: z.number().int().nonnegative().nullable(),
    /** One line per turn: "[AI]: ...\n[USER]: ..." */
    transcript: z.string(),
    outcome: CallOutcome.nullable(),
    payment_collected: z.boolean(),
    /** Actual cost in GBP from the call's durations (0 until it ends). */
    cost: z.number().nonnegative(),
  })
  .meta({
    id: 'CallStatusResponse',
    example: {
      call_sid: 'CA1234567890abcdef1234567890abcdef',
      status: 'completed',
      duration: 180,
      transcript:
        "[AI]: Hello, this is an automated call from Acme Consulting Ltd about invoice INV-2026-001. This call is recorded.\n[USER]: Yes, I know. I can pay half now and the rest at the end of the month.\n[AI]: Thank you. I've noted a payment plan: 750 pounds today and 750 pounds on the 30th.",
      outcome: 'payment_plan_agreed',
      payment_collected: false,
      cost: 0.38,
    },
  });
export type CallStatusResponse = z.infer<typeof CallStatusResponse>;

export const EstimateCostRequest = z
  .object({
    estimated_duration_minutes: z.number().positive().max(60),
    include_sms: z.boolean().default(false),
    include_recording: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'EstimateCostRequest', example: { estimated_duration_minutes: 3, include_sms: true, include_recording: true } });
export type EstimateCostRequest = z.infer<typeof EstimateCostRequest>;

/** A refusal of /initiate-call: the compliance (or tier) reason and when a call may next be placed. */
export const CallRefusal = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    reason_code: z.string(),
    reasons: z.array(z.object({ code: z.string(), message: z.string() })),
    next_allowed_at: z.string().nullable(),
  })
  .meta({ id: 'CallRefusal' });
export type CallRefusal = z.infer<typeof CallRefusal>;
