import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { closeRedis, createRedis, waitForRedis, type Redis } from '@recoup/queue';
import { createTestDatabase, DisposableRedis, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { Authenticator, KeyRevocations, keyRevocationChannel, requireAuth, type KeyRevocation, type KeyRevocationEvent } from './index';

/** One service process: its own Redis connections, revocation feed, authenticator, and an HTTP server with a live stream. */
interface Proc {
  url: string;
  authenticator: Authenticator;
  revocations: KeyRevocations;
  publisher: Redis;
  now: { ms: number };
  close(): Promise<void>;
}

async function startProcess(database: TestDatabase, redisUrl: string, prefix: string): Promise<Proc> {
  const publisher = createRedis(redisUrl, 'client');
  const subscriber = createRedis(redisUrl, 'worker');
  const revocations = new KeyRevocations({ publisher, subscriber, channel: keyRevocationChannel(prefix) });
  const now = { ms: Date.now() };
  const authenticator = new Authenticator({ db: database.db, keys: { revocations, clock: () => now.ms } });
  const app = express();
  app.get('/tenant', requireAuth({ authenticator }), (req, res) => {
    res.json(req.auth);
  });
  app.get('/stream', requireAuth({ authenticator }), (req, res) => {
    const auth = req.auth;
    res.status(200).set({ 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
    res.write(': open\n\n');
    const off = authenticator.keys.onRevoked(({ keyIds }) => {
      if (auth?.kind === 'tenant' && auth.via === 'api_key' && keyIds.includes(auth.keyId)) res.end();
    });
    res.on('close', off);
  });
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  await waitForRedis(publisher, 10_000);
  await revocations.ready();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authenticator,
    revocations,
    publisher,
    now,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await revocations.close();
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}

const get = (p: Proc, path: string, key: string) => fetch(p.url + path, { headers: { authorization: `Bearer ${key}` } });
const status = async (p: Proc, key: string) => (await get(p, '/tenant', key)).status;

/** Resolves with the next event of `type` (registered before the action that causes it). */
function next<T extends KeyRevocationEvent['type']>(
  revocations: KeyRevocations,
  type: T,
): Promise<Extract<KeyRevocationEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = revocations.on((e) => {
      if (e.type !== type) return;
      off();
      resolve(e as Extract<KeyRevocationEvent, { type: T }>);
    });
  });
}

/** Opens a live stream and resolves `ended` when the server ends it. */
async function openStream(p: Proc, key: string) {
  const res = await get(p, '/stream', key);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // the ": open" comment: the stream is registered
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return { ended };
}

describe('key revocations across processes (real PostgreSQL and Redis)', () => {
  let database: TestDatabase;
  let prefix: string;
  let a: Proc;
  let b: Proc;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = testQueuePrefix();
    a = await startProcess(database, testRedisUrl(), prefix);
    b = await startProcess(database, testRedisUrl(), prefix);
    tenantId = (await database.db.tenant.create({ data: { name: 'Acme' } })).id;
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('trusts a cached key while revocations are heard: a change made behind the service is not seen at once', async () => {
    const key = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, key.key)).toBe(200);
    await database.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    // Not announced, so b still answers from its cache: the announcement below is what makes revocation immediate.
    expect(await status(b, key.key)).toBe(200);
  });

  it('a key revoked through one process is refused by the other on its next request, and its live stream ends', async () => {
    const key = await a.authenticator.keys.issue(tenantId);
    expect(await status(a, key.key)).toBe(200);
    expect(await status(b, key.key)).toBe(200); // cached in b for 30 s
    const stream = await openStream(b, key.key);
    const heard = new Promise<KeyRevocation>((resolve) => {
      const off = b.authenticator.keys.onRevoked((r) => {
        off();
        resolve(r);
      });
    });

    expect(await a.authenticator.keys.revoke(tenantId, key.id)).toBe(1);
    expect(await status(a, key.key)).toBe(401);
    expect(await heard).toEqual({ tenantId, keyIds: [key.id] });
    expect(await status(b, key.key)).toBe(401);
    expect(await stream.ended).toBe(true);
  });

  it('rotation: the old key is refused everywhere once announced, the new one works, and the old key stream ends', async () => {
    const old = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, old.key)).toBe(200);
    const stream = await openStream(b, old.key);
    const heard = next(b.revocations, 'revoked');

    const fresh = await a.authenticator.keys.rotate(tenantId, old.id);
    expect((await heard).revocation.keyIds).toEqual([old.id]);
    expect(await status(b, old.key)).toBe(401);
    expect(await status(b, fresh.key)).toBe(200);
    expect(await stream.ended).toBe(true);
  });

  it('ignores messages that are not revocations, and other stacks sharing the Redis do not reach this one', async () => {
    const key = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, key.key)).toBe(200);
    const otherStack = await startProcess(database, testRedisUrl(), testQueuePrefix());
    try {
      const publisher = createRedis(testRedisUrl(), 'client');
      await waitForRedis(publisher, 10_000);
      // Sent on our channel before the real one: b processes messages in order, so once the real one arrives these were seen.
      await publisher.publish(keyRevocationChannel(prefix), 'not json');
      await publisher.publish(keyRevocationChannel(prefix), JSON.stringify({ tenant_id: tenantId, key_ids: [] }));
      await closeRedis(publisher);
      const heard = next(b.revocations, 'revoked');
      await otherStack.authenticator.keys.revoke(tenantId, key.id); // same database, another stack's channel
      const marker = await a.authenticator.keys.issue(tenantId);
      await a.authenticator.keys.revoke(tenantId, marker.id);
      expect((await heard).revocation.keyIds).toEqual([marker.id]);
      // The other stack's announcement never arrived, so b's cache still holds the key (revoked behind its back).
      expect(await status(b, key.key)).toBe(200);
    } finally {
      await otherStack.close();
    }
  });
});

describe('key revocations while the subscriber is disconnected', () => {
  let database: TestDatabase;
  let redis: DisposableRedis;
  let a: Proc;
  let b: Proc;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await DisposableRedis.start();
    const prefix = testQueuePrefix();
    a = await startProcess(database, redis.url, prefix);
    b = await startProcess(database, redis.url, prefix);
    tenantId = (await database.db.tenant.create({ data: { name: 'Acme' } })).id;
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await database?.drop();
  });

  it('drops what it cached, trusts a lookup for 1 s at most, and trusts the cache again once re-subscribed', async () => {
    const key = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, key.key)).toBe(200);
    const unheard = next(b.revocations, 'unheard');
    await redis.stop();
    await unheard;
    expect(b.revocations.listening).toBe(false);

    // Revoked while b cannot hear it (a cannot announce it either): b's earlier cache entry is gone.
    await a.authenticator.keys.revoke(tenantId, key.id);
    expect(await status(b, key.key)).toBe(401);

    // A lookup made while unheard is trusted for 1 s of b's clock, no longer.
    const other = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, other.key)).toBe(200);
    await database.db.apiKey.update({ where: { id: other.id }, data: { revokedAt: new Date() } });
    b.now.ms += 900;
    expect(await status(b, other.key)).toBe(200);
    b.now.ms += 200;
    expect(await status(b, other.key)).toBe(401);

    const heard = next(b.revocations, 'heard');
    await redis.start();
    await heard;
    expect(b.revocations.listening).toBe(true);
    await a.revocations.ready();
    await waitForRedis(a.publisher, 10_000); // a's fail-fast publisher reconnects on its own schedule
    const third = await a.authenticator.keys.issue(tenantId);
    expect(await status(b, third.key)).toBe(200);
    const revoked = next(b.revocations, 'revoked');
    await a.authenticator.keys.revoke(tenantId, third.id);
    await revoked;
    expect(await status(b, third.key)).toBe(401);
  });
});
