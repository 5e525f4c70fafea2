import type { Job } from 'bullmq';
import { SpanKind, extractTraceContext, injectTraceContext, requestContext, withSpan, type Logger } from '@recoup/observability';

/** Where a job's context travels in its data: beside the catalogued payload, stripped before the payload is parsed. */
export const JOB_META_KEY = '_meta';

/** The request that queued a job and its W3C trace context. */
export interface JobMeta {
  request_id?: string;
  traceparent?: string;
  tracestate?: string;
}

/** The current request id and trace context, to store with a job being queued (undefined: nothing to carry). */
export function currentJobMeta(): JobMeta | undefined {
  const requestId = requestContext.requestId();
  const trace = injectTraceContext();
  if (!requestId && !trace.traceparent) return undefined;
  return { ...(requestId ? { request_id: requestId } : {}), ...trace };
}

/** The payload without its `_meta`, and the meta. */
export function splitJobData(data: unknown): { payload: unknown; meta: JobMeta } {
  if (!data || typeof data !== 'object' || !(JOB_META_KEY in data)) return { payload: data, meta: {} };
  const { [JOB_META_KEY]: meta, ...payload } = data as Record<string, unknown>;
  return { payload, meta: (meta && typeof meta === 'object' ? meta : {}) as JobMeta };
}

/**
 * Runs a job's processor as the continuation of the request that queued it: its request id in the context (log lines
 * and the jobs it queues carry it), a CONSUMER span under the producer's trace (tracing on), and one log line for the
 * outcome — completed, or failed with whether BullMQ will retry.
 */
export async function runJob<T>(job: Job, queue: string, logger: Logger, process: (payload: unknown) => Promise<T>): Promise<T> {
  const { payload, meta } = splitJobData(job.data);
  const started = Date.now();
  const fields = {
    queue,
    jobId: job.id,
    job: job.name,
    attempt: job.attemptsMade + 1,
    ...(meta.request_id ? { requestId: meta.request_id } : {}),
  };
  return requestContext.run(meta.request_id, () =>
    withSpan(
      `${queue} process ${job.name}`,
      SpanKind.CONSUMER,
      { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'messaging.message.id': job.id ?? '', 'recoup.job': job.name },
      async () => {
        try {
          const result = await process(payload);
          logger.info({ ...fields, outcome: 'completed', duration_ms: Date.now() - started }, 'job completed');
          return result;
        } catch (err) {
          const retries = (job.opts.attempts ?? 1) > job.attemptsMade + 1 && (err as Error)?.name !== 'UnrecoverableError';
          logger.warn(
            {
              ...fields,
              outcome: retries ? 'retrying' : 'failed',
              duration_ms: Date.now() - started,
              err: { message: (err as Error)?.message },
            },
            retries ? 'job failed, will retry' : 'job failed',
          );
          throw err;
        }
      },
      extractTraceContext(meta as Record<string, unknown>),
    ),
  );
}
