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
    /** The client's invoices already paid in full (customer history; improves accuracy). */
    previous_paid_invoices: z.number().int().nonnegative().optional(),
    /** Mean days late over those paid invoices (0 for always on time). */
    average_days_late: z.number().nonnegative().optional(),
    /** Whether this invoice is in dispute right now. */
    invoice_disputed: z.boolean().optional(),
  })
  .meta({ id: 'PredictRequest' });
export type PredictRequest = z.infer<typeof PredictRequest>;

/** The product's strategy bands, by calibrated probability of payment. */
export const PaymentBand = z
  .enum(['gentle_reminder', 'standard_escalation', 'immediate_escalation', 'consider_write_off'])
  .meta({ id: 'PaymentBand' });
export type PaymentBand = z.infer<typeof PaymentBand>;

export const PredictionFactor = z
  .object({
    feature: z.string(),
    /** Change in probability credited to this feature (mean path contribution, calibrated). */
    contribution: z.number(),
    direction: z.enum(['up', 'down']),
  })
  .meta({ id: 'PredictionFactor' });
export type PredictionFactor = z.infer<typeof PredictionFactor>;

export const PredictResponse = z
  .object({
    /** Calibrated probability that the invoice gets paid, 0-1. */
    probability: z.number().min(0).max(1),
    band: PaymentBand,
    recommendation: z.string(),
    explanation: z.object({
      /** The probability before looking at this invoice (the training base rate). */
      base_probability: z.number().min(0).max(1),
      /** The features that pushed the score up or down most, largest first. */
      factors: z.array(PredictionFactor),
    }),
    model_version: z.string(),
  })
  .meta({ id: 'PredictResponse' });
export type PredictResponse = z.infer<typeof PredictResponse>;

export const MAX_PREDICT_BATCH = 10_000;

export const PredictBatchRequest = z
  .object({
    invoices: z.array(PredictRequest).min(1).max(MAX_PREDICT_BATCH),
    /** Explanations cost about as much as the scores; leave them out for bulk re-scoring. */
    explain: z.boolean().default(true),
  })
  .meta({ id: 'PredictBatchRequest' });
export type PredictBatchRequest = z.infer<typeof PredictBatchRequest>;

export const PredictBatchResponse = z
  .object({
    model_version: z.string(),
    /** One per invoice, in request order; `explanation` is absent when explain is false. */
    predictions: z.array(
      PredictResponse.omit({ model_version: true, explanation: true }).extend({
        explanation: PredictResponse.shape.explanation.optional(),
      }),
    ),
  })
  .meta({ id: 'PredictBatchResponse' });
export type PredictBatchResponse = z.infer<typeof PredictBatchResponse>;

export const CalibrationRow = z.object({
  from: z.number(),
  to: z.number(),
  count: z.number().int(),
  mean_predicted: z.number(),
  observed_rate: z.number(),
});

export const ModelEvaluation = z
  .object({
    /** How the holdout was chosen, e.g. "temporal: trained before 2013-07-01, tested after". */
    holdout: z.string(),
    rows: z.number().int(),
    roc_auc: z.number().nullable(),
    brier_score: z.number(),
    calibration: z.array(CalibrationRow),
  })
  .meta({ id: 'ModelEvaluation' });
export type ModelEvaluation = z.infer<typeof ModelEvaluation>;

export const ModelInfoResponse = z
  .object({
    version: z.string(),
    trained_at: z.string(),
    source: z.string(),
    training_rows: z.number().int(),
    positive_rate: z.number(),
    trees: z.number().int(),
    nodes: z.number().int(),
    features: z.array(z.string()),
    metrics: z.object({ oob_roc_auc: z.number().nullable(), holdout: ModelEvaluation.nullable() }),
  })
  .meta({ id: 'ModelInfoResponse' });
export type ModelInfoResponse = z.infer<typeof ModelInfoResponse>;

export const TrainModelRequest = z
  .object({
    /** Train from the platform's own invoices, payments and contact attempts. */
    source: z.literal('database').default('database'),
    trees: z.number().int().min(1).max(500).default(100),
    seed: z.number().int().nonnegative().default(0),
  })
  .meta({ id: 'TrainModelRequest' });
export type TrainModelRequest = z.infer<typeof TrainModelRequest>;

export const TrainingJobState = z.enum(['waiting', 'active', 'completed', 'failed', 'delayed', 'unknown']);

export const TrainingJobResponse = z
  .object({
    job_id: z.string(),
    state: TrainingJobState,
    /** Set once the job completed: the version that now answers. */
    model_version: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'TrainingJobResponse' });
export type TrainingJobResponse = z.infer<typeof TrainingJobResponse>;
