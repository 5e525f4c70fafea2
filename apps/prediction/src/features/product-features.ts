import type { RawValue } from '@recoup/forest';

/**
 * The product's features, in model column order. The first eleven are the product's own
 * (one request field each). The last three are optional additions the platform can derive
 * from its own records and that the IBM evaluation showed matter: whether this invoice is
 * in dispute now (kept apart from the count of earlier disputes: merged, holdout AUC fell
 * from 0.90 to 0.85), and two customer-history aggregates of the scikit-learn reference.
 */
export const PRODUCT_FEATURES = [
  'invoice_amount',
  'days_overdue',
  'previous_late_payments',
  'client_age_days',
  'industry_code',
  'collection_stage',
  'previous_disputes',
  'payment_method_on_file',
  'email_open_rate',
  'sms_response_rate',
  'partial_payments',
  'previous_paid_invoices',
  'average_days_late',
  'invoice_disputed',
] as const;

export type ProductFeature = (typeof PRODUCT_FEATURES)[number];

/** Industry codes are labels, not quantities; everything else is a number (booleans as 0/1). */
export const CATEGORICAL_FEATURES: ReadonlySet<ProductFeature> = new Set(['industry_code']);

/** One invoice's features as of a point in time; a missing feature is undefined. */
export type FeatureRecord = Partial<Record<ProductFeature, RawValue>>;

/** A labelled example: the features as of `asOf`, and whether the invoice then got paid. */
export interface LabelledExample {
  features: FeatureRecord;
  paid: boolean;
  asOf: Date;
}
