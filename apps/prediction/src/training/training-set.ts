import { FeatureEncoder, fitFeatureSpecs, type FeatureSpec, type TrainingSet } from '@recoup/forest';
import { CATEGORICAL_FEATURES, PRODUCT_FEATURES, type LabelledExample, type ProductFeature } from '../features/product-features';

/** Encodes labelled product examples; category orders are fitted on these (training) examples only. */
export function productTrainingSet(
  examples: readonly LabelledExample[],
  features: readonly ProductFeature[] = PRODUCT_FEATURES,
): TrainingSet {
  const labels = Uint8Array.from(examples, (e) => (e.paid ? 1 : 0));
  const specs: FeatureSpec[] = fitFeatureSpecs(
    features.map((name) => ({
      name,
      values: examples.map((e) => e.features[name]),
      kind: CATEGORICAL_FEATURES.has(name) ? 'categorical' : 'numeric',
    })),
    labels,
  );
  return { features: specs, rows: new FeatureEncoder(specs).encodeMany(examples.map((e) => e.features)), labels };
}

/** Encodes examples with a trained model's feature specs (for holdout evaluation). */
export function encodeExamples(
  specs: readonly FeatureSpec[],
  examples: readonly LabelledExample[],
): { rows: Float64Array; labels: Uint8Array } {
  return {
    rows: new FeatureEncoder(specs).encodeMany(examples.map((e) => e.features)),
    labels: Uint8Array.from(examples, (e) => (e.paid ? 1 : 0)),
  };
}
