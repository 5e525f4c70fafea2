import { Writable } from 'node:stream';
import { QueueEvents } from 'bullmq';
import { createLogger } from '@recoup/observability';
import { deletePrefix, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { QUEUES } from './catalog';
import { InvalidJobError, JobProducer } from './producer';
import { closeRedis, createRedis, pingRedis, waitForRedis, type Redis } from './redis';
import { createJobWorker } from './worker';

const logger = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
const payload = {
  tenant_id: '0b9a4f0e-2f55-4d6e-9c61-0d1e8f2b7a10',
  client_id: '5d0e0f36-4d4b-4c8b-8f0e-7a3c2b1d9e88',
  template_id: 'reminder-1',
  purpose: 'reminder' as const,
  requested_by: 'test',
  channel: 'email' as const,
};

describe('job catalog on real Redis', () => {
  let prefix: string;
  let producerRedis: Redis;
  let workerRedis: Redis;
  let producer: JobProducer;
  let events: QueueEvents;

  beforeEach(async () => {
    prefix = testQueuePrefix();
    producerRedis = createRedis(testRedisUrl(), 'producer', logger);
    workerRedis = createRedis(testRedisUrl(), 'worker', logger);
    producer = new JobProducer(producerRedis, prefix);
    const url = new URL(testRedisUrl());
    events = new QueueEvents(QUEUES.notifications, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix });
    events.on('error', () => undefined); // reconnects on its own; an unhandled 'error' event would throw
    await events.waitUntilReady();
    // A producer connection refuses commands until it is ready (no offline queue): wait for it.
    await waitForRedis(producerRedis, 10_000);
  });

  afterEach(async () => {
    await events.close();
    await producer.close();
    await deletePrefix(producerRedis, prefix);
    await closeRedis(producerRedis);
    await closeRedis(workerRedis);
  });

  it('delivers a validated payload to its processor exactly once per job id', async () => {
    const seen: unknown[] = [];
    const worker = createJobWorker(
      QUEUES.notifications,
      { 'email.send': async (data) => seen.push(data) },
      { connection: workerRedis, prefix, logger },
    );
    const first = await producer.enqueue('email.send', payload, { jobId: 'email-inv-1-stage-1' });
    const duplicate = await producer.enqueue('email.send', payload, { jobId: 'email-inv-1-stage-1' });
    expect(duplicate.jobId).toBe(first.jobId);
    const job = await producer.queue(QUEUES.notifications).getJob(first.jobId);
    const done = job!.waitUntilFinished(events, 10_000);
    void worker.run();
    await done;
    await worker.close();
    expect(seen).toEqual([payload]);
    expect(job!.opts.attempts).toBe(5);
  });

  it('refuses an invalid payload before it reaches Redis', async () => {
    await expect(producer.enqueue('email.send', { ...payload, tenant_id: 'nope' } as never, { jobId: 'bad-1' })).rejects.toThrow(
      InvalidJobError,
    );
    await expect(producer.enqueue('email.send', payload, { jobId: '42' })).rejects.toThrow(/invalid job id/);
    expect(await producer.queue(QUEUES.notifications).count()).toBe(0);
  });

  it("fails a malformed job once, without retries, when it was added behind the catalog's back", async () => {
    const seen: unknown[] = [];
    const worker = createJobWorker(
      QUEUES.notifications,
      { 'email.send': async (data) => seen.push(data) },
      { connection: workerRedis, prefix, logger },
    );
    const job = await producer.queue(QUEUES.notifications).add('email.send', { tenant_id: 'x' }, { jobId: 'raw-1', attempts: 5 });
    const failed = job.waitUntilFinished(events, 10_000).catch((err: Error) => err);
    void worker.run();
    const err = await failed;
    await worker.close();
    expect(String(err)).toContain('invalid email.send payload');
    const after = await producer.queue(QUEUES.notifications).getJob('raw-1');
    expect(after!.attemptsMade).toBe(1);
    expect(await after!.getState()).toBe('failed');
    expect(seen).toHaveLength(0);
  });

  it('fails a job that no processor handles as unrecoverable', async () => {
    const worker = createJobWorker(QUEUES.notifications, {}, { connection: workerRedis, prefix, logger });
    const { jobId } = await producer.enqueue('sms.send', { ...payload, channel: 'sms' }, { jobId: 'sms-1' });
    const job = await producer.queue(QUEUES.notifications).getJob(jobId);
    const failed = job!.waitUntilFinished(events, 10_000).catch((err: Error) => err);
    void worker.run();
    expect(String(await failed)).toContain('no processor for job "sms.send"');
    await worker.close();
  });
});

describe('createRedis', () => {
  it('fails fast instead of queueing commands while Redis is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1', 'client', logger);
    // With an offline queue the ping would wait for a connection forever (and hit the test timeout).
    await expect(pingRedis(redis)).rejects.toThrow();
    await closeRedis(redis);
  });
});
