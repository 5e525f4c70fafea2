import { syntheticTable, trainForest } from '@recoup/forest';
import { createLogger } from '@recoup/observability';
import { closeRedis, createRedis, type Redis } from '@recoup/queue';
import { createTestDatabase, testQueuePrefix, testRedisUrl, waitFor, type TestDatabase } from '@recoup/testing';
import { ModelRegistry } from './model-registry';
import { ModelStore, modelChannel } from './model-store';

/** Two replicas as two processes would hold them: own Redis connections, one database. */
describe('ModelStore: a model trained by one replica is served by the others', () => {
  let database: TestDatabase;
  const logger = createLogger({ service: 'prediction', level: 'silent' });
  const channel = modelChannel(testQueuePrefix());
  const connections: Redis[] = [];
  const replicas: Array<{ store: ModelStore; registry: ModelRegistry }> = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const publisher = createRedis(testRedisUrl(), 'client', logger);
      const subscriber = createRedis(testRedisUrl(), 'worker', logger);
      connections.push(publisher, subscriber);
      const store = new ModelStore(database.db, logger, { publisher, subscriber, channel });
      await store.ready();
      // No model stored yet and no directory: nothing answers until one is trained.
      const registry = new ModelRegistry('/nonexistent-model-dir', logger, store);
      replicas.push({ store, registry });
    }
  });

  afterAll(async () => {
    for (const r of replicas) {
      r.registry.close();
      await r.store.close();
    }
    await Promise.all(connections.map((c) => closeRedis(c)));
    await database?.drop();
  });

  it('stores the model in PostgreSQL, announces it, and the other replica swaps to it; a restart loads the newest', async () => {
    const [one, two] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    expect(await two.registry.loadLatest()).toBeUndefined();
    const first = await trainForest(syntheticTable(300, 4, 1), { trees: 5, seed: 1 });
    await one.registry.publish(first);
    expect(one.registry.current()?.info.version).toBe(first.info.version);
    await waitFor(() => two.registry.current()?.info.version === first.info.version, { what: 'replica 2 to serve the first model' });

    const second = await trainForest(syntheticTable(300, 4, 2), { trees: 5, seed: 2 });
    await two.registry.publish(second);
    await waitFor(() => one.registry.current()?.info.version === second.info.version, { what: 'replica 1 to serve the second model' });
    // What a replica scores with is the stored model, bit for bit.
    const served = one.registry.current()!;
    const x = [0.1, 0.2, 0.3, 0.4];
    expect(served).not.toBe(second);
    expect(served.probability(x)).toBe(second.probability(x));

    // A replica started now loads the newest stored model.
    const fresh = new ModelRegistry('/nonexistent-model-dir', logger, new ModelStore(database.db, logger));
    expect((await fresh.loadLatest())?.info.version).toBe(second.info.version);
    expect(await database.db.predictionModel.count()).toBe(2);
  });
});
