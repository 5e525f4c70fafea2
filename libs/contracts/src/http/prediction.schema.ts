import { z } from 'zod';

/** The product's prediction features, one snake_case field each; optional ones may be missing. */
export const PredictRequest = z
  .object({
    invoice_amount: z.number().nonnegative(),
    days_overdue: z.number().int(),
    previous_late_payments: z.number().int().nonnegative().optional(),
    client_age_days: z.number().int().nonnegative().optional(),
    industry_code: z.string().max(16).optional(),
    collection_stage: z.number().int().min(0).max(10).optional(),
    previous_disputes: z.number().int().nonnegative().optional(),
    payment_method_on_file: z.boolean().optional(),
    email_open_rate: z.number().min(0).max(1).optional(),
    sms_response_rate: z.number().min(0).max(1).optional(),
    partial_payments: z.number().int().nonnegative().optional(),
  })
  .meta({ id: 'PredictRequest' });
export type PredictRequest = z.infer<typeof PredictRequest>;
