import type { Server } from 'node:http';
import type { Express } from 'express';
import { pingDatabase } from '@recoup/db';
import { closeServer, handleShutdown, listen, readinessOf, type ShutdownStep } from '@recoup/http';
import { waitForRedis, type Redis } from '@recoup/queue';
import type { CoreDeps } from './core';

export interface BackgroundWorker {
  name: string;
  /** The worker's own (blocking) Redis connection. */
  redis: Redis;
  start: () => Promise<void> | void;
  close: () => Promise<unknown>;
}

export interface StartOptions {
  deps: CoreDeps;
  app: Express;
  port: number;
  host?: string;
  shutdownTimeoutMs: number;
  /** Runs after the server listens. */
  afterListen?: () => Promise<void>;
  /**
   * Background workers (BullMQ): created paused, started once their Redis connection and
   * PostgreSQL answer, and closed (active jobs finish) before the connections close.
   */
  workers?: BackgroundWorker[];
  /** Steps after the workers are closed and before PostgreSQL/Redis close: drain live calls. */
  drain?: ShutdownStep[];
  /**
   * Extra shutdown budget for the drain steps on top of `shutdownTimeoutMs` (the voice agent's live calls may run to
   * the call limit); in-flight HTTP requests still get `shutdownTimeoutMs`.
   */
  drainTimeoutMs?: number;
}

/**
 * Listens, says once which providers are sandboxed, and registers the shutdown order (drain, not drop):
 * fail readiness (`/health/ready` 503, so the load balancer stops routing here), stop accepting connections,
 * close the workers (no new jobs; active ones finish), run the drain steps (live calls), wait for in-flight
 * requests and open sockets, close connections, exit 0.
 */
export async function startService(options: StartOptions): Promise<{ server: Server; shutdown: () => Promise<number> }> {
  const { deps, app, port } = options;
  const server = await listen(app, port, options.host);
  const sandboxed = deps.providers.filter((p) => p.mode === 'sandbox');
  if (sandboxed.length > 0) {
    deps.logger.warn(
      { providers: sandboxed.map((p) => `${p.name}: ${p.reason}`) },
      `sandbox mode: ${sandboxed.map((p) => p.name).join(', ')} will not reach the real provider`,
    );
  }
  const readiness = readinessOf(app);
  // The listener closes at once; the wait for in-flight requests (and upgraded sockets: live media streams) comes
  // after the workers and drain steps, so a worker never keeps taking jobs while calls drain.
  let httpClosed: Promise<void> = Promise.resolve();
  const shutdown = handleShutdown({
    logger: deps.logger,
    timeoutMs: options.shutdownTimeoutMs + (options.drainTimeoutMs ?? 0),
    steps: [
      { name: 'readiness', run: async () => readiness?.drain() },
      {
        name: 'stop accepting',
        run: async () => {
          httpClosed = closeServer(server, options.shutdownTimeoutMs);
          // A failure is reported by the 'http' step below.
          httpClosed.catch(() => undefined);
        },
      },
      ...(options.workers ?? []).map((w) => ({ name: w.name, run: w.close })),
      ...(options.drain ?? []),
      { name: 'http', run: () => httpClosed },
      { name: 'connections', run: () => deps.close() },
    ],
  });
  deps.logger.info({ port, url: `http://127.0.0.1:${port}` }, `${deps.service} listening`);
  for (const worker of options.workers ?? []) {
    await waitForRedis(worker.redis, 60_000);
    await pingDatabase(deps.db);
    await worker.start();
    deps.logger.info(`${worker.name} running`);
  }
  await options.afterListen?.();
  return { server, shutdown };
}

/** Runs a service's main(); a start-up failure is one line on stderr and exit 1. */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((err: Error) => {
    process.stderr.write(`${service}: failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
