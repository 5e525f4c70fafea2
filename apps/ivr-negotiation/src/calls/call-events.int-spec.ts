import { createLogger } from '@recoup/observability';
import { closeRedis, createRedis } from '@recoup/queue';
import { testQueuePrefix, testRedisUrl, waitFor } from '@recoup/testing';
import type { IvrCallView } from '@recoup/contracts';
import { CallEvents, type TenantCallEvent } from './call-events';

describe('CallEvents over Redis pub/sub', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const connections = [
    createRedis(testRedisUrl(), 'client', logger),
    createRedis(testRedisUrl(), 'worker', logger),
    createRedis(testRedisUrl(), 'client', logger),
    createRedis(testRedisUrl(), 'worker', logger),
  ];
  afterAll(() => Promise.all(connections.map(closeRedis)));

  it("delivers one replica's call updates to another replica's streams", async () => {
    const channel = `${testQueuePrefix()}:ivr:call-events`;
    const [p1, s1, p2, s2] = connections as [
      (typeof connections)[0],
      (typeof connections)[0],
      (typeof connections)[0],
      (typeof connections)[0],
    ];
    const replicaA = new CallEvents({ publisher: p1, subscriber: s1, channel, logger });
    const replicaB = new CallEvents({ publisher: p2, subscriber: s2, channel, logger });
    await Promise.all([replicaA.ready(), replicaB.ready()]);
    const seen: TenantCallEvent[] = [];
    replicaB.subscribe((e) => seen.push(e));
    const call = { id: '5f1c0c52-3b8e-4d3a-9a43-2f4f3f0d6f11', status: 'confirmed' } as IvrCallView;
    await waitFor(() => p1.status === 'ready');
    replicaA.publish('tenant-1', { type: 'updated', call });
    await waitFor(() => seen.length === 1, { what: 'the event on the other replica' });
    expect(seen[0]).toEqual({ tenantId: 'tenant-1', event: { type: 'updated', call } });
  });
});
