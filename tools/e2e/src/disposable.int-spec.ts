import { Client } from 'pg';
import Redis from 'ioredis';
import { DisposablePostgres } from './disposable-postgres';
import { PersistentRedis } from './persistent-redis';

describe('fault-test infrastructure', () => {
  it('a disposable PostgreSQL can be stopped and started again with its data', async () => {
    const pg = await DisposablePostgres.start();
    try {
      const write = new Client({ connectionString: pg.url() });
      await write.connect();
      await write.query('CREATE TABLE t (v int); INSERT INTO t VALUES (42)');
      await write.end();
      pg.stopServer();
      await expect(new Client({ connectionString: pg.url() }).connect()).rejects.toThrow();
      pg.startServer();
      const read = new Client({ connectionString: pg.url() });
      await read.connect();
      expect((await read.query('SELECT v FROM t')).rows).toEqual([{ v: 42 }]);
      await read.end();
    } finally {
      pg.destroy();
    }
  });

  it('a persistent Redis keeps its keys across a restart', async () => {
    const redis = await PersistentRedis.start();
    try {
      const a = new Redis(redis.url, { lazyConnect: true });
      await a.connect();
      await a.set('k', 'v');
      a.disconnect();
      await redis.stopServer();
      await redis.startServer();
      const b = new Redis(redis.url, { lazyConnect: true });
      await b.connect();
      expect(await b.get('k')).toBe('v');
      b.disconnect();
    } finally {
      await redis.destroy();
    }
  });
});
