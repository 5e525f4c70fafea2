import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { JobProducer, closeRedis, createRedis, type Redis } from '@recoup/queue';
import { createLogger } from '@recoup/observability';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, waitFor, type TestDatabase } from '@recoup/testing';
import { MONDAY_NOON, createTenant } from '../../test/fixtures';

const ROOT = path.resolve(__dirname, '../../../..');
const N = 240;

/**
 * At-least-once queue + idempotent send key: a worker process killed with SIGKILL in the middle
 * of a batch loses nothing and sends nothing twice. The sandbox provider is the fake provider
 * here: its outbox (sandbox_messages) is what "delivered" means, keyed by our job id.
 */
describe('exactly-once delivery across a worker crash', () => {
  let database: TestDatabase;
  let redis: Redis;
  let prefix: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = testQueuePrefix();
    redis = createRedis(testRedisUrl(), 'client', createLogger({ service: 'test', level: 'silent' }));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await database.drop();
  });

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'apps/notifier/test/worker-process.ts'), MONDAY_NOON.toISOString()],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          REDIS_URL: testRedisUrl(),
          QUEUE_PREFIX: prefix,
          LOG_LEVEL: 'silent',
          WORKER_CONCURRENCY: '8',
          NOTIFIER_LOCK_MS: '1000',
          SENDGRID_MODE: 'sandbox',
          TWILIO_MODE: 'sandbox',
          NODE_ENV: 'test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${err.slice(-800)}`)));
    });
  }

  it('a SIGKILLed worker neither loses nor duplicates a message', async () => {
    const db = database.db;
    const tenant = await createTenant(db);
    // One debtor per message: the 7-in-7-days frequency rule would rightly hold back an eighth.
    const clients = Array.from({ length: N }, (_, i) => ({
      id: randomUUID(),
      tenantId: tenant.id,
      name: `Debtor ${i}`,
      kind: 'business' as const,
      email: `d${i}@example.com`,
    }));
    await db.client.createMany({ data: clients });
    const invoices = clients.map((c, i) => ({
      id: randomUUID(),
      tenantId: tenant.id,
      clientId: c.id,
      reference: `INV-${i}`,
      amountPence: 100_00 + i,
      issueDate: new Date('2026-09-01'),
      dueDate: new Date('2026-10-01'),
      status: 'overdue' as const,
    }));
    await db.invoice.createMany({ data: invoices });

    const producer = new JobProducer(redis, prefix);
    const jobIds = invoices.map((inv) => `email-${inv.id}`);
    await Promise.all(
      invoices.map((inv, i) =>
        producer.enqueue(
          'email.send',
          {
            tenant_id: tenant.id,
            client_id: inv.clientId,
            invoice_id: inv.id,
            template_id: 'friendly_reminder',
            purpose: 'reminder',
            requested_by: 'crash-test',
            channel: 'email',
          },
          { jobId: jobIds[i]! },
        ),
      ),
    );

    const first = await startWorker();
    // Killed mid-batch with jobs in flight: both read together, since the worker moves them between reads.
    const active = await waitFor(
      async () => ((await db.sandboxMessage.count()) >= N / 4 ? await producer.queue('notifications').getActiveCount() : 0),
      { what: 'a quarter of the batch sent, with jobs active', timeoutMs: 60_000, intervalMs: 5 },
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await db.sandboxMessage.count();
    expect(atKill).toBeLessThan(N); // killed mid-batch
    expect(active).toBeGreaterThan(0); // with jobs in flight

    await startWorker();
    await waitFor(async () => (await db.contactAttempt.count({ where: { status: 'sent' } })) === N, {
      what: 'every attempt sent after the restart',
      timeoutMs: 90_000,
      intervalMs: 100,
    });

    const outbox = await db.sandboxMessage.findMany({ select: { idempotencyKey: true, providerMessageId: true } });
    expect(outbox).toHaveLength(N);
    expect(new Set(outbox.map((m) => m.idempotencyKey))).toEqual(new Set(jobIds));
    const attempts = await db.contactAttempt.findMany({ select: { jobId: true, status: true, providerMessageId: true } });
    expect(attempts).toHaveLength(N);
    const sentId = new Map(outbox.map((m) => [m.idempotencyKey, m.providerMessageId]));
    // Each attempt names the one message the provider holds for its key.
    for (const a of attempts) expect(a.providerMessageId).toBe(sentId.get(a.jobId ?? ''));
    await producer.close();
  }, 180_000);
});
