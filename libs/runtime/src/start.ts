import type { Server } from 'node:http';
import type { Express } from 'express';
import { closeServer, handleShutdown, listen, type ShutdownStep } from '@recoup/http';
import type { CoreDeps } from './core';

export interface StartOptions {
  deps: CoreDeps;
  app: Express;
  port: number;
  host?: string;
  shutdownTimeoutMs: number;
  /** Runs after the server listens (e.g. start workers once PostgreSQL and Redis answer). */
  afterListen?: () => Promise<void>;
  /** Steps between "stop accepting HTTP" and "close PostgreSQL/Redis": close workers, drain calls. */
  drain?: ShutdownStep[];
}

/**
 * Listens, says once which providers are sandboxed, and registers the shutdown order:
 * stop accepting, drain, close connections, exit 0.
 */
export async function startService(options: StartOptions): Promise<{ server: Server; shutdown: () => Promise<number> }> {
  const { deps, app, port } = options;
  const server = await listen(app, port, options.host);
  const sandboxed = deps.providers.filter((p) => p.mode === 'sandbox');
  if (sandboxed.length > 0) {
    deps.logger.warn({ providers: sandboxed.map((p) => `${p.name}: ${p.reason}`) }, `sandbox mode: ${sandboxed.map((p) => p.name).join(', ')} will not reach the real provider`);
  }
  const shutdown = handleShutdown({
    logger: deps.logger,
    timeoutMs: options.shutdownTimeoutMs,
    steps: [
      { name: 'http', run: () => closeServer(server, options.shutdownTimeoutMs) },
      ...(options.drain ?? []),
      { name: 'connections', run: () => deps.close() },
    ],
  });
  deps.logger.info({ port, url: `http://127.0.0.1:${port}` }, `${deps.service} listening`);
  await options.afterListen?.();
  return { server, shutdown };
}
