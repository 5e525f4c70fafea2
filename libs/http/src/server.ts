import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '@recoup/observability';
import { withTimeout } from './timeout';

export async function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = app.listen(port, host);
  await once(server, 'listening');
  return server;
}

/** Stops accepting connections, lets in-flight requests finish, and cuts what is left at the deadline. */
export async function closeServer(server: Server, deadlineMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Steps run in order: stop taking work first, close shared connections last. */
  steps: ShutdownStep[];
  timeoutMs: number;
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * Registers SIGTERM/SIGINT handling once: run every step in order (each bounded by what is left
 * of the budget), flush logs, exit 0 — or 1 if a step failed or the budget ran out.
 */
export function handleShutdown(options: ShutdownOptions): () => Promise<number> {
  const { logger, steps, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<number> | undefined;

  const shutdown = (signal = 'manual'): Promise<number> => {
    running ??= (async () => {
      logger.info({ signal }, 'shutting down');
      const deadline = Date.now() + timeoutMs;
      let code = 0;
      for (const step of steps) {
        const left = Math.max(deadline - Date.now(), 0);
        try {
          await withTimeout(step.run(), left + 250, `timed out after ${left} ms`);
          logger.debug({ step: step.name }, 'shutdown step done');
        } catch (err) {
          code = 1;
          logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      logger.info({ code }, 'stopped');
      logger.flush?.();
      return code;
    })();
    return running;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      void shutdown(signal).then(exit);
    });
  }
  return shutdown;
}
