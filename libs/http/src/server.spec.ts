import { Writable } from 'node:stream';
import express from 'express';
import { createLogger } from '@recoup/observability';
import { closeServer, handleShutdown, listen } from './server';

const silent = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new connections, then runs the remaining steps in order', async () => {
    let release!: () => void;
    const app = express().get('/slow', async (_req, res) => {
      await new Promise<void>((r) => (release = r));
      res.send('done');
    });
    const server = await listen(app, 0, '127.0.0.1');
    const { port } = server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50)); // the request must be accepted before shutdown begins
    const order: string[] = [];
    const shutdown = handleShutdown({
      logger: silent,
      timeoutMs: 5_000,
      signals: [],
      steps: [
        { name: 'http', run: () => closeServer(server, 5_000).then(() => order.push('http')) },
        { name: 'connections', run: async () => order.push('connections') },
      ],
    });
    const done = shutdown();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
    release();
    expect(await inFlight).toBe('done');
    expect(await done).toBe(0);
    expect(order).toEqual(['http', 'connections']);
  });

  it('exits 1 when a step fails or overruns the budget, and still runs the later steps', async () => {
    const ran: string[] = [];
    const code = await handleShutdown({
      logger: silent,
      timeoutMs: 100,
      signals: [],
      steps: [
        { name: 'stuck', run: () => new Promise(() => undefined) },
        { name: 'after', run: async () => ran.push('after') },
      ],
    })();
    expect(code).toBe(1);
    expect(ran).toEqual(['after']);
  });
});
