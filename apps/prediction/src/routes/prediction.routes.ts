import { ApiRouter } from '@recoup/http';
import { PredictBatchRequest, PredictBatchResponse, PredictRequest, PredictResponse, ProblemDetails } from '@recoup/contracts';
import type { PredictionService } from '../model/prediction-service';

export function predictionRouter(service: PredictionService): ApiRouter {
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/predict',
      summary: 'Probability that one overdue invoice gets paid, its band, recommendation and why',
      tags: ['prediction'],
      request: { body: PredictRequest },
      responses: {
        200: {
          description: 'Calibrated probability, band, recommendation, explanation and the model version that answered',
          schema: PredictResponse,
        },
        400: { description: 'Invalid fields, each named', schema: ProblemDetails, contentType: 'application/problem+json' },
        503: { description: 'No model loaded yet', schema: ProblemDetails, contentType: 'application/problem+json' },
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
      request: { body: PredictBatchRequest },
      responses: {
        200: { description: 'One prediction per invoice, in request order', schema: PredictBatchResponse },
        400: {
          description: 'Invalid fields, each named (invoices.<index>.<field>)',
          schema: ProblemDetails,
          contentType: 'application/problem+json',
        },
        503: { description: 'No model loaded yet', schema: ProblemDetails, contentType: 'application/problem+json' },
      },
      handler: async ({ body }, _req, res) => {
        res.json(await service.predictBatch(body.invoices, body.explain));
      },
    });
}
