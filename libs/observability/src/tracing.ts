import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export { SpanKind };

export interface TracingConfig {
  service: string;
  /** OTEL_TRACES_EXPORTER: `none` (the default) leaves tracing off, at no cost. */
  OTEL_TRACES_EXPORTER?: 'none' | 'otlp';
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's origin; traces go to <endpoint>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the traces URL itself. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  /** Tests: export through this processor instead of OTLP. */
  spanProcessor?: SpanProcessor;
}

export interface Tracing {
  enabled: boolean;
  /** Flushes and stops the exporter (shutdown). */
  shutdown(): Promise<void>;
}

let enabled = false;
let provider: TracerProvider | undefined;

/** True once initTracing turned tracing on in this process: the HTTP and queue hooks are only installed then. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * OpenTelemetry for one service process: W3C trace context, async-hooks context, spans batched to OTLP/HTTP (the
 * standard OTEL_* variables, parsed by the service's config). Off unless OTEL_TRACES_EXPORTER=otlp: then nothing is
 * installed and the hot paths only read one boolean.
 */
export function initTracing(config: TracingConfig): Tracing {
  const on = config.spanProcessor !== undefined || config.OTEL_TRACES_EXPORTER === 'otlp';
  if (!on) return { enabled: false, shutdown: async () => undefined };
  const url =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (config.OTEL_EXPORTER_OTLP_ENDPOINT ? `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  const processor = config.spanProcessor ?? new BatchSpanProcessor({ exporter: new OTLPTraceExporter(url ? { url } : {}) });
  provider = new TracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.service }), spanProcessors: [processor] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  enabled = true;
  const current = provider;
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: async () => {
      stopped ??= current.shutdown();
      await stopped;
      if (provider === current) {
        trace.disable();
        context.disable();
        propagation.disable();
        provider = undefined;
        enabled = false;
      }
    },
  };
}

const tracer = () => trace.getTracer('recoup');

/** The context carried by `carrier` (W3C traceparent/tracestate), or the active one. */
export function extractTraceContext(carrier: Record<string, unknown> | undefined): Context {
  return carrier ? propagation.extract(context.active(), carrier) : context.active();
}

/** The active trace context as W3C headers ({} when tracing is off or nothing is active). */
export function injectTraceContext(): Record<string, string> {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Starts a span (a child of `parent` or the active context); the caller ends it. Undefined when tracing is off. */
export function startSpan(
  name: string,
  kind: SpanKind,
  attributes: Attributes = {},
  parent?: Context,
): { span: Span; ctx: Context } | undefined {
  if (!enabled) return undefined;
  const base = parent ?? context.active();
  const span = tracer().startSpan(name, { kind, attributes }, base);
  return { span, ctx: trace.setSpan(base, span) };
}

/** Runs `fn` inside a span (ended with its outcome); just runs it when tracing is off. */
export async function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: () => Promise<T>,
  parent?: Context,
): Promise<T> {
  const started = startSpan(name, kind, attributes, parent);
  if (!started) return fn();
  try {
    const result = await context.with(started.ctx, fn);
    started.span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (err) {
    started.span.recordException(err as Error);
    started.span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    started.span.end();
  }
}

/** Runs `fn` with `ctx` active (tracing on) or as is. */
export function withTraceContext<T>(ctx: Context | undefined, fn: () => T): T {
  return enabled && ctx ? context.with(ctx, fn) : fn();
}

/**
 * Wraps every method of a provider port (`send`, `place`, ...) in a CLIENT span named `<provider> <method>`, so a trace
 * shows the call to the vendor. Returns the port itself when tracing is off.
 */
export function tracedPort<T extends object>(port: T, provider: string): T {
  if (!enabled) return port;
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return withSpan(`${provider} ${key}`, SpanKind.CLIENT, { 'recoup.provider': provider }, () => result);
      };
    },
  });
}

/** trace_id and span_id of the active span for log lines ({} when tracing is off or no span is active). */
export function traceLogFields(): Record<string, string> {
  // A fresh object each time: pino merges the line's fields into what the mixin returns.
  if (!enabled) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

const requests = new AsyncLocalStorage<{ requestId: string }>();

/** The request being served (set by the HTTP layer, and by workers from the job's `_meta`). */
export const requestContext = {
  run<T>(requestId: string | undefined, fn: () => T): T {
    return requestId ? requests.run({ requestId }, fn) : fn();
  },
  requestId(): string | undefined {
    return requests.getStore()?.requestId;
  },
};
