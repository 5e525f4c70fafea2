import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { SERVICE } from './config';
import type { Deps } from './deps';
import { modelRouter } from './routes/model.routes';
import { requireCaller } from './routes/caller-auth';
import { predictionRouter } from './routes/prediction.routes';

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  const caller = requireCaller(deps.authenticator, deps.config.INTERNAL_API_TOKEN);
  return createHttpApp({
    service: SERVICE,
    description:
      'Payment-likelihood model (random forest) and recommendation bands. `/predict`, `/predict/batch` and `/model` take `Authorization: Bearer <INTERNAL_API_TOKEN>` (the gateway), the admin key or a tenant API key.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.PREDICTION_BODY_LIMIT,
    health: deps.health,
    healthTimeoutMs: deps.config.HEALTH_TIMEOUT_MS,
    routers: [
      predictionRouter(deps.predictions, caller),
      modelRouter(deps.models, deps.training, deps.config.PREDICTION_ADMIN_TOKEN, caller),
    ],
  });
}
