import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { ModelInfoResponse, ModelEvaluation, ProblemDetails, TrainModelRequest, TrainingJobResponse } from '@recoup/contracts';
import type { ModelRegistry } from '../model/model-registry';
import type { TrainingQueue } from '../training/training-queue';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Bearer PREDICTION_ADMIN_TOKEN; with no token configured, training over HTTP is off. */
export function requireAdmin(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!token) return next(HttpProblem.forbidden('Training over HTTP is disabled: set PREDICTION_ADMIN_TOKEN'));
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !sameSecret(given, token)) return next(HttpProblem.unauthorized('A valid admin bearer token is required'));
    next();
  };
}

const problem = { schema: ProblemDetails, contentType: 'application/problem+json' };

/** `caller` guards the model's description (requireCaller); training takes PREDICTION_ADMIN_TOKEN alone. */
export function modelRouter(
  registry: ModelRegistry,
  training: TrainingQueue,
  adminToken: string | undefined,
  caller: RequestHandler,
): ApiRouter {
  const admin = requireAdmin(adminToken);
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/model',
      summary: 'The model that answers: version, training time, data size and metrics',
      tags: ['model'],
      security: [{ apiKey: [] }],
      before: [caller],
      responses: {
        200: { description: 'The active model', schema: ModelInfoResponse },
        401: { description: 'No internal token, admin key or valid tenant API key', ...problem },
        503: { description: 'No model loaded yet', ...problem },
      },
      handler: (_input, _req, res) => {
        const model = registry.current();
        if (!model) throw new HttpProblem(503, 'Service Unavailable', 'No prediction model is loaded yet');
        const holdout = ModelEvaluation.safeParse(model.metadata.holdout);
        const body: ModelInfoResponse = {
          version: model.info.version,
          trained_at: model.info.trainedAt,
          source: typeof model.metadata.source === 'string' ? model.metadata.source : 'unknown',
          training_rows: model.info.rows,
          positive_rate: model.info.positives / model.info.rows,
          trees: model.treeCount,
          nodes: model.nodeCount,
          features: model.featureNames,
          metrics: { oob_roc_auc: model.info.oobAuc, holdout: holdout.success ? holdout.data : null },
        };
        res.json(body);
      },
    })
    .route({
      method: 'post',
      path: '/model/train',
      summary: 'Starts training a new model from the database (admin); answers at once with a job id',
      tags: ['model'],
      security: [{ bearerAuth: [] }],
      before: [admin],
      request: { body: TrainModelRequest },
      responses: {
        202: { description: 'Training queued; poll GET /model/train/{job_id}', schema: TrainingJobResponse },
        401: { description: 'Missing or wrong admin token', ...problem },
        403: { description: 'Training over HTTP is disabled', ...problem },
      },
      handler: async ({ body }, _req, res) => {
        const jobId = await training.enqueue(body);
        res
          .status(202)
          .location(`/model/train/${jobId}`)
          .json({ job_id: jobId, state: 'waiting', model_version: null, error: null } satisfies TrainingJobResponse);
      },
    })
    .route({
      method: 'get',
      path: '/model/train/:job_id',
      summary: 'State of a training job (admin)',
      tags: ['model'],
      security: [{ bearerAuth: [] }],
      before: [admin],
      request: { params: z.object({ job_id: z.string().min(1).max(100) }) },
      responses: { 200: { description: 'The job', schema: TrainingJobResponse }, 404: { description: 'No such job', ...problem } },
      handler: async ({ params }, _req, res) => {
        const status = await training.status(params.job_id);
        if (!status) throw HttpProblem.notFound(`No training job ${params.job_id}`);
        res.json(status);
      },
    });
}
