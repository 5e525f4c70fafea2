import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StannpLetterSender, signStannpWebhook } from '@recoup/providers/letters';
import { JobProducer, closeRedis, createRedis, type Redis } from '@recoup/queue';
import { createLogger } from '@recoup/observability';
import { StannpFake, createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, waitFor, type TestDatabase } from '@recoup/testing';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { buildDeps, type Deps } from '../deps';
import { MONDAY_NOON, createDebtor, createTenant } from '../../test/fixtures';
import { STANNP_EVENTS_PATH } from './stannp-events.routes';

const SECRET = 'stannp-webhook-secret-for-tests-0123';

/** A letter's whole life with Stannp as its loopback fake: posted by the worker, then moved on by signed webhooks. */
describe('letters through Stannp', () => {
  let database: TestDatabase;
  let stannp: StannpFake;
  let deps: Deps;
  let server: Server;
  let hookUrl: string;
  let redis: Redis;
  let producer: JobProducer;
  let prefix: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    stannp = await StannpFake.start();
    prefix = testQueuePrefix();
    const { config, providers } = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      STANNP_WEBHOOK_SECRET: SECRET,
    });
    deps = buildDeps(config, providers, {
      clock: () => MONDAY_NOON,
      letters: new StannpLetterSender({ apiKey: stannp.apiKey, baseUrl: stannp.url }),
    });
    void deps.worker.run();
    server = createApp(deps).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${STANNP_EVENTS_PATH}`;
    redis = createRedis(testRedisUrl(), 'client', createLogger({ service: 'test', level: 'silent' }));
    producer = new JobProducer(redis, prefix);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await closeRedis(redis);
    await deletePrefix(deps.redis, prefix);
    await deps.close();
    await stannp.close();
    await database.drop();
  });

  const db = () => database.db;
  async function postedLetter() {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `letter-${randomUUID()}`;
    await producer.enqueue(
      'letter.send',
      {
        tenant_id: tenant.id,
        client_id: client.id,
        invoice_id: invoice.id,
        template_id: 'final_notice.letter',
        purpose: 'final_notice',
        requested_by: 'test',
        channel: 'letter',
      },
      { jobId },
    );
    return waitFor(
      async () => {
        const a = await db().contactAttempt.findUnique({ where: { jobId } });
        return a?.status === 'sent' ? a : undefined;
      },
      { what: `letter ${jobId} sent` },
    );
  }
  const statusOf = async (id: string) => (await db().contactAttempt.findUniqueOrThrow({ where: { id } })).status;

  it('posts the rendered letter through Stannp once, at Stannp’s price, keyed by the job', async () => {
    const attempt = await postedLetter();
    expect(attempt).toMatchObject({ provider: 'stannp', channel: 'letter', costPence: 71 });
    const letter = stannp.letters.get(attempt.providerMessageId!)!;
    expect(letter).toMatchObject({ country: 'GB', idempotencyKey: attempt.jobId });
    expect(stannp.requests.filter((r) => r.fields.idempotency_key === attempt.jobId)).toHaveLength(1);
  });

  it('records Stannp’s signed status webhooks on the letter’s attempt, once each: handed over, then delivered', async () => {
    const attempt = await postedLetter();
    const id = attempt.providerMessageId!;
    expect(await stannp.advance(id, 'handed_over', { url: hookUrl, secret: SECRET })).toBe(200);
    expect(await stannp.advance(id, 'delivered', { url: hookUrl, secret: SECRET })).toBe(200);
    expect(await statusOf(attempt.id)).toBe('delivered');
    // Stannp retries a webhook it thinks failed: the second delivery is recognised, not recorded twice.
    expect(await stannp.advance(id, 'delivered', { url: hookUrl, secret: SECRET })).toBe(200);
    const events = await db().contactEvent.findMany({ where: { contactAttemptId: attempt.id }, orderBy: { occurredAt: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['sent', 'delivered']);
  });

  it('refuses a webhook whose signature does not match, and records nothing', async () => {
    const attempt = await postedLetter();
    const forged = signStannpWebhook('{"another":"body"}', SECRET);
    expect(await stannp.advance(attempt.providerMessageId!, 'returned', { url: hookUrl, secret: SECRET, signature: forged })).toBe(403);
    expect(await stannp.advance(attempt.providerMessageId!, 'returned', { url: hookUrl, secret: 'not-the-secret-0123456789' })).toBe(403);
    expect(await statusOf(attempt.id)).toBe('sent');
  });

  it('answers Stannp’s validation request (test_url) so the webhook can be created', async () => {
    const body = JSON.stringify({ webhook_id: 0, event: 'test_url', created: '2026-11-30 09:00:00', retries: 0 });
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-stannp-signature': signStannpWebhook(body, SECRET) },
      body,
    });
    const text = await res.text();
    expect(`${res.status} ${text}`).toMatch(/^200 /);
    expect(JSON.parse(text)).toMatchObject({ event: 'test_url', received: 0 });
  });
});
