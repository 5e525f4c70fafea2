import type { RequestHandler } from 'express';
import { ApiRouter } from '@recoup/http';
import { PredictBatchRequest, PredictBatchResponse, PredictRequest, PredictResponse, ProblemDetails } from '@recoup/contracts';
import type { PredictionService } from '../model/prediction-service';

const problem = { schema: ProblemDetails, contentType: 'application/problem+json' };

/** `caller`: requireCaller (the internal token, the admin key or a tenant API key). */
export function predictionRouter(service: PredictionService, caller: RequestHandler): ApiRouter {
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/predict',
      summary: 'Probability that one overdue invoice gets paid, its band, recommendation and why',
      tags: ['prediction'],
      security: [{ apiKey: [] }],
      before: [caller],
      request: { body: PredictRequest },
      responses: {
        200: {
          description: 'Calibrated probability, band, recommendation, explanation and the model version that answered',
          schema: PredictResponse,
        },
        400: { description: 'Invalid fields, each named', ...problem },
        401: { description: 'No internal token, admin key or valid tenant API key', ...problem },
        503: { description: 'No model loaded yet', ...problem },
      },
      handler: ({ body }, _req, res) => {
        res.json(service.predict(body));
      },
    })
    .route({
      method: 'post',
      path: '/predict/batch',
      summary: 'Scores up to 10,000 invoices in one call (one model version for all)',
      tags: ['prediction'],
      security: [{ apiKey: [] }],
      before: [caller],
      request: { body: PredictBatchRequest },
      responses: {
        200: { description: 'One prediction per invoice, in request order', schema: PredictBatchResponse },
        400: { description: 'Invalid fields, each named (invoices.<index>.<field>)', ...problem },
        401: { description: 'No internal token, admin key or valid tenant API key', ...problem },
        503: { description: 'No model loaded yet', ...problem },
      },
      handler: async ({ body }, _req, res) => {
        res.json(await service.predictBatch(body.invoices, body.explain));
      },
    });
}
