import { z } from 'zod';

/** What the retention periods govern (libs/collections data-rights/retention-policy.ts documents each default and its source). */
export const RetentionKind = z.enum(['financial_records', 'contact_records', 'recordings', 'transcripts']).meta({ id: 'RetentionKind' });
export type RetentionKind = z.infer<typeof RetentionKind>;

const days = (min: number, max: number, why: string) => z.number().int().min(min).max(max).describe(why);

/**
 * A tenant's overrides of the default periods, in days; an omitted field takes the default. The bounds are the law's
 * floors: financial records cannot be kept less than 6 years (Limitation Act 1980 s.5; HMRC), contact records less than
 * one year (complaints: DISP 1.6 and 2.8), and nothing longer than the 15-year long-stop (Limitation Act 1980 s.14B).
 */
export const RetentionOverrides = z
  .object({
    financial_records_days: days(2192, 5479, 'Invoices, payments, the ledger and plans: at least 6 years (2192 days)').optional(),
    contact_records_days: days(365, 5479, 'The fact of each contact and the messages as sent: at least 1 year').optional(),
    recordings_days: days(1, 2192, 'Call recordings (here and at the telephony provider)').optional(),
    transcripts_days: days(1, 2192, 'Call transcripts and turns, IVR transcripts').optional(),
  })
  .strict()
  .meta({ id: 'RetentionOverrides' });
export type RetentionOverrides = z.infer<typeof RetentionOverrides>;

export const RetentionPeriods = z
  .object({
    financial_records_days: z.number().int(),
    contact_records_days: z.number().int(),
    recordings_days: z.number().int(),
    transcripts_days: z.number().int(),
  })
  .meta({ id: 'RetentionPeriods' });
export type RetentionPeriods = z.infer<typeof RetentionPeriods>;

export const RetentionPolicyResponse = z
  .object({
    tenant_id: z.uuid(),
    /** The periods in force: the overrides over the defaults. */
    periods: RetentionPeriods,
    overrides: RetentionOverrides,
    defaults: z.array(z.object({ kind: RetentionKind, days: z.number().int(), why: z.string(), sources: z.array(z.string()) })),
  })
  .meta({ id: 'RetentionPolicyResponse' });
export type RetentionPolicyResponse = z.infer<typeof RetentionPolicyResponse>;

/** What one retention run removed for one tenant (counts only, never the data). */
export const RetentionReport = z
  .object({
    tenant_id: z.uuid(),
    request_id: z.uuid(),
    ran_at: z.string(),
    periods: RetentionPeriods,
    removed: z.object({
      /** Encrypted recordings deleted from stored_recordings. */
      stored_recordings: z.number().int(),
      /** Recordings deleted at the telephony provider (a recording it no longer had counts as deleted). */
      provider_recordings: z.number().int(),
      /** Provider deletions that failed this run (retried on the next). */
      provider_recording_failures: z.number().int(),
      /** AI-call transcripts removed (turns deleted, transcript emptied). */
      transcripts: z.number().int(),
      call_turns: z.number().int(),
      ivr_transcripts: z.number().int(),
      /** Sandbox outbox messages whose recipient and body were removed. */
      sent_messages: z.number().int(),
      /** Inbound SMS / email whose sender and body were removed. */
      inbound_messages: z.number().int(),
    }),
  })
  .meta({ id: 'RetentionReport' });
export type RetentionReport = z.infer<typeof RetentionReport>;

export const RunRetentionRequest = z
  .object({ tenant_id: z.uuid().optional().describe('One tenant; every tenant when omitted') })
  .strict()
  .meta({ id: 'RunRetentionRequest' });
export type RunRetentionRequest = z.infer<typeof RunRetentionRequest>;

export const RunRetentionResponse = z.object({ reports: z.array(RetentionReport) }).meta({ id: 'RunRetentionResponse' });
export type RunRetentionResponse = z.infer<typeof RunRetentionResponse>;
