// Run by tracing.int-spec.ts as its own process (the OTLP exporter loads node:http with a dynamic import, which jest's
// CommonJS sandbox cannot run): an HTTP request queues a job, a worker processes it and calls a loopback "vendor", and
// every span goes to the OTLP collector at OTEL_EXPORTER_OTLP_ENDPOINT. Prints the log lines as JSON on stdout.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { QueueEvents } from 'bullmq';
import request from 'supertest';
import { z } from 'zod';
import { ApiRouter, createHttpApp } from '@recoup/http';
import { createLogger, createMetrics, initTracing, tracedPort } from '@recoup/observability';
import { QUEUES } from '../src/catalog';
import { JobProducer } from '../src/producer';
import { closeRedis, createRedis, waitForRedis } from '../src/redis';
import { createJobWorker } from '../src/worker';

async function main() {
  const env = process.env;
  const lines: string[] = [];
  const logger = createLogger({
    service: 'trace-scenario',
    destination: new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  const tracing = initTracing({
    service: 'trace-scenario',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const prefix = env.QUEUE_PREFIX ?? 'trace-scenario';
  const producerRedis = createRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer', logger);
  const workerRedis = createRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'worker', logger);
  await waitForRedis(producerRedis, 10_000);
  // The "provider": a loopback vendor API the job's port calls.
  const vendor = createServer((_req, res) => res.end('{"sid":"SM1"}'));
  vendor.listen(0, '127.0.0.1');
  await once(vendor, 'listening');
  const vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  const sms = tracedPort({ send: async () => (await fetch(vendorUrl, { method: 'POST' })).json() }, 'twilio');
  const producer = new JobProducer(producerRedis, prefix);
  const worker = createJobWorker(QUEUES.notifications, { 'sms.send': async () => sms.send() }, { connection: workerRedis, prefix, logger });
  const url = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const events = new QueueEvents(QUEUES.notifications, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix });
  events.on('error', () => undefined);
  await events.waitUntilReady();
  const app = createHttpApp({
    service: 'trace-scenario',
    logger,
    metrics: createMetrics('trace-scenario'),
    health: {},
    routers: [
      new ApiRouter().route({
        method: 'post',
        path: '/api/collections/escalate',
        summary: 'Queue a reminder',
        request: { body: z.object({ invoice: z.string() }) },
        responses: { 202: { description: 'Queued' } },
        handler: async ({ body }, _req, res) => {
          const job = await producer.enqueue(
            'sms.send',
            {
              tenant_id: '0b9a4f0e-2f55-4d6e-9c61-0d1e8f2b7a10',
              client_id: '5d0e0f36-4d4b-4c8b-8f0e-7a3c2b1d9e88',
              template_id: 'reminder-1',
              purpose: 'reminder',
              requested_by: 'test',
              channel: 'sms',
            },
            { jobId: `sms-${body.invoice}` },
          );
          res.status(202).json(job);
        },
      }),
    ],
  });
  const res = await request(app)
    .post('/api/collections/escalate')
    .set('traceparent', env.TRACEPARENT ?? '')
    .set('x-request-id', env.REQUEST_ID ?? 'req')
    .send({ invoice: 'inv-1' });
  if (res.status !== 202) throw new Error(`escalate answered ${res.status}`);
  const job = await producer.queue(QUEUES.notifications).getJob(res.body.jobId as string);
  if (!job) throw new Error('the queued job is missing');
  const done = job.waitUntilFinished(events, 15_000);
  void worker.run();
  await done;
  await worker.close();
  await tracing.shutdown();
  await events.close();
  await producer.close();
  await closeRedis(producerRedis);
  await closeRedis(workerRedis);
  vendor.close();
  process.stdout.write(JSON.stringify({ meta: job.data._meta, lines }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(String((err as Error)?.stack ?? err));
    process.exit(1);
  },
);
