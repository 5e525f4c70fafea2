import { createDatabase, pingDatabase, type Database } from '@recoup/db';
import type { HealthCheck } from '@recoup/http';
import { createLogger, createMetrics, initTracing, type Logger, type ServiceMetrics } from '@recoup/observability';
import { closeRedis, createRedis, pingRedis, type Redis } from '@recoup/queue';
import type { ProviderDecision } from '@recoup/config';

export interface CoreConfig {
  NODE_ENV: string;
  LOG_LEVEL: string;
  DATABASE_URL: string;
  REDIS_URL: string;
  METRICS_TOKEN?: string;
  OTEL_TRACES_EXPORTER?: 'none' | 'otlp';
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
}

/** What every service holds: logs, metrics, PostgreSQL and a fail-fast Redis connection. */
export interface CoreDeps {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  db: Database;
  redis: Redis;
  providers: ProviderDecision[];
  /** /health probes: postgres, redis, and each provider's mode. */
  health: Record<string, HealthCheck>;
  close(): Promise<void>;
}

export function createCoreDeps(service: string, config: CoreConfig, providers: ProviderDecision[], logger?: Logger): CoreDeps {
  const log = logger ?? createLogger({ service, level: config.LOG_LEVEL });
  // Off (OTEL_TRACES_EXPORTER=none, the default) installs nothing; otlp exports spans to the OTEL_* endpoint.
  const tracing = initTracing({ service, ...config });
  const db = createDatabase(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client', log);
  const health: Record<string, HealthCheck> = {
    postgres: () => pingDatabase(db),
    redis: () => pingRedis(redis),
  };
  for (const p of providers) health[p.name] = async () => p.mode;
  return {
    service,
    logger: log,
    metrics: createMetrics(service, { token: config.METRICS_TOKEN }),
    db,
    redis,
    providers,
    health,
    async close() {
      await Promise.allSettled([closeRedis(redis), db.$disconnect(), tracing.shutdown()]);
    },
  };
}
