import { HttpProblem } from '@recoup/http';
import type { PredictBatchResponse, PredictRequest, PredictResponse } from '@recoup/contracts';
import type { Explanation, ForestExecutor, ForestModel } from '@recoup/forest';
import type { FeatureRecord } from '../features/product-features';
import type { ModelRegistry } from './model-registry';
import { BAND_RECOMMENDATIONS, paymentBand } from './payment-bands';

/** Factors reported per prediction: enough to say why, short enough to read. */
const TOP_FACTORS = 5;

/** The request fields are the feature names; a field the request leaves out is missing. */
export function requestFeatures(req: PredictRequest): FeatureRecord {
  return req;
}

function explanationJson(e: Explanation): PredictResponse['explanation'] {
  return {
    base_probability: e.baseProbability,
    factors: e.contributions
      .filter((c) => Math.abs(c.contribution) >= 1e-6)
      .slice(0, TOP_FACTORS)
      .map((c) => ({
        feature: c.feature,
        contribution: c.contribution,
        direction: c.contribution >= 0 ? ('up' as const) : ('down' as const),
      })),
  };
}

function scored(probability: number) {
  const band = paymentBand(probability);
  return { probability, band, recommendation: BAND_RECOMMENDATIONS[band] };
}

/**
 * Scores invoices with whichever model answers at the start of the call. One invoice is
 * scored in this thread (a few microseconds); large batches go to the worker threads so the
 * event loop keeps answering other requests.
 */
export class PredictionService {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly executor: ForestExecutor,
    private readonly batchThreadMinRows = 2_000,
  ) {}

  private model(): ForestModel {
    const model = this.registry.current();
    if (!model)
      throw new HttpProblem(
        503,
        'Service Unavailable',
        'No prediction model is loaded yet: train one (POST /model/train or npm run train)',
      );
    return model;
  }

  predict(req: PredictRequest): PredictResponse {
    const model = this.model();
    const e = model.explain(model.encoder.encode(requestFeatures(req)));
    return { ...scored(e.probability), explanation: explanationJson(e), model_version: model.info.version };
  }

  async predictBatch(invoices: readonly PredictRequest[], explain: boolean): Promise<PredictBatchResponse> {
    const model = this.model();
    const n = invoices.length;
    const rows = model.encoder.encodeMany(invoices.map(requestFeatures));
    const inThreads = n >= this.batchThreadMinRows && this.executor.threads > 1;
    const width = model.width;
    if (explain) {
      const raw = inThreads ? await this.executor.contributions(model, rows, n) : undefined;
      const predictions = invoices.map((_, r) => {
        const e = raw ? model.explanationOf(raw[r * (width + 1)] ?? 0, raw, r * (width + 1) + 1) : model.explain(rows, r * width);
        return { ...scored(e.probability), explanation: explanationJson(e) };
      });
      return { model_version: model.info.version, predictions };
    }
    const probabilities = inThreads
      ? (await this.executor.voteShares(model, rows, n)).map((s) => model.calibrate(s))
      : model.probabilities(rows, n);
    return { model_version: model.info.version, predictions: Array.from(probabilities, (p) => scored(p)) };
  }
}
