import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { SERVICE } from './config';
import type { Deps } from './deps';
import { modelRouter } from './routes/model.routes';
import { predictionRouter } from './routes/prediction.routes';

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  return createHttpApp({
    service: SERVICE,
    description: 'Payment-likelihood model (random forest) and recommendation bands.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.PREDICTION_BODY_LIMIT,
    health: deps.health,
    healthTimeoutMs: deps.config.HEALTH_TIMEOUT_MS,
    routers: [predictionRouter(deps.predictions), modelRouter(deps.models, deps.training, deps.config.PREDICTION_ADMIN_TOKEN)],
  });
}
