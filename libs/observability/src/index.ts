export { createLogger, REDACT_PATHS } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { createMetrics } from './metrics';
export type { ServiceMetrics } from './metrics';
export { registerBusinessMetrics } from './business-metrics';
export type { BusinessCounts } from './business-metrics';
export {
  SpanKind,
  extractTraceContext,
  initTracing,
  injectTraceContext,
  requestContext,
  startSpan,
  traceLogFields,
  tracedPort,
  tracingEnabled,
  withSpan,
  withTraceContext,
} from './tracing';
export type { Tracing, TracingConfig } from './tracing';
