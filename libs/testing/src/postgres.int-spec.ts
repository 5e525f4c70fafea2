import { createTestDatabase } from './postgres';

describe('createTestDatabase', () => {
  it('gives each caller its own migrated database, dropped afterwards', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).not.toBe(b.name);
      await a.db.tenant.create({ data: { name: 'Only in A' } });
      expect(await a.db.tenant.count()).toBe(1);
      expect(await b.db.tenant.count()).toBe(0);
    } finally {
      await a.drop();
      await b.drop();
    }
    const again = await createTestDatabase();
    try {
      const rows = await again.db.$queryRawUnsafe<Array<{ n: bigint }>>('SELECT count(*) AS n FROM pg_database WHERE datname = $1', a.name);
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await again.drop();
    }
  });
});
