import { ApiKeyService, KeyRevocations, keyRevocationChannel } from '@recoup/auth';
import { closeRedis, createRedis, waitForRedis, type Redis } from '@recoup/queue';
import { testRedisUrl } from '@recoup/testing';
import { ADMIN_KEY, api, startIvr, type IvrHarness } from '../testing/harness';

/** Opens GET /api/calls/stream and resolves `ended` when the service ends it. */
async function openStream(h: IvrHarness, key: string) {
  const res = await fetch(`${h.url}/api/calls/stream`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // "retry: 2000": the stream is registered
  let done = false;
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return (done = true);
  })();
  return { ended, isOpen: () => !done, cancel: () => reader.cancel() };
}

describe('a key revoked elsewhere in the stack', () => {
  let h: IvrHarness;
  // The gateway's side, as another process holds it: its own connections and key service on the same stack's channel.
  let publisher: Redis;
  let subscriber: Redis;
  let gatewayRevocations: KeyRevocations;
  let gatewayKeys: ApiKeyService;

  beforeAll(async () => {
    h = await startIvr();
    publisher = createRedis(testRedisUrl(), 'client');
    subscriber = createRedis(testRedisUrl(), 'worker');
    gatewayRevocations = new KeyRevocations({ publisher, subscriber, channel: keyRevocationChannel(h.deps.config.QUEUE_PREFIX) });
    gatewayKeys = new ApiKeyService(h.deps.db, { revocations: gatewayRevocations });
    await waitForRedis(publisher, 10_000);
    await Promise.all([gatewayRevocations.ready(), h.deps.revocations.ready()]);
  });

  afterAll(async () => {
    await gatewayRevocations?.close();
    await Promise.all([publisher && closeRedis(publisher), subscriber && closeRedis(subscriber)]);
    await h?.close();
  });

  it('ends the open streams of that key at once and answers 401 to its next request; other streams stay open', async () => {
    const revoked = await gatewayKeys.issue(h.tenantId);
    const kept = await gatewayKeys.issue(h.tenantId);
    expect((await api(h, '/api/calls', { key: revoked.key })).status).toBe(200); // cached here for 30 s
    const doomed = await openStream(h, revoked.key);
    const other = await openStream(h, kept.key);
    const admin = await openStream(h, ADMIN_KEY);
    expect(h.deps.streams.open.size).toBe(3);

    await gatewayKeys.revoke(h.tenantId, revoked.id);
    expect(await doomed.ended).toBe(true);
    const next = await api(h, '/api/calls', { key: revoked.key });
    expect(next.status).toBe(401);
    expect(next.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.isOpen() && admin.isOpen()).toBe(true);
    expect(h.deps.streams.open.size).toBe(2);
    expect((await api(h, '/api/calls', { key: kept.key })).status).toBe(200);
    await Promise.all([other.cancel(), admin.cancel()]);
  });

  it('rotation ends the old key streams too; the new key streams', async () => {
    const old = await gatewayKeys.issue(h.tenantId);
    const stream = await openStream(h, old.key);
    const fresh = await gatewayKeys.rotate(h.tenantId, old.id);
    expect(await stream.ended).toBe(true);
    expect((await api(h, '/api/calls', { key: old.key })).status).toBe(401);
    const again = await openStream(h, fresh.key);
    expect(again.isOpen()).toBe(true);
    await again.cancel();
  });
});
