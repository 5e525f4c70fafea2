import type { Express } from 'express';
import { createHttpApp } from '@recoup/http';
import { SERVICE } from './config';
import type { Deps } from './deps';

/** The service's HTTP surface, testable without listening. */
export function createApp(deps: Deps): Express {
  return createHttpApp({
    service: SERVICE,
    description: 'AI collection calls: Twilio Media Streams bridged to the OpenAI Realtime API.',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.HTTP_BODY_LIMIT,
    health: deps.health,
    healthTimeoutMs: deps.config.HEALTH_TIMEOUT_MS,
    routers: [],
  });
}
