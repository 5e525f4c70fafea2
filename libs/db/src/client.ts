import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Database = PrismaClient;

/**
 * A Prisma client on the pg driver adapter (no native query engine). A `?schema=` parameter
 * in the URL selects the PostgreSQL schema, as Prisma's own URLs do.
 */
export function createDatabase(databaseUrl: string, options: { poolSize?: number } = {}): Database {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const adapter = new PrismaPg(
    { connectionString: url.toString(), max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
    { schema },
  );
  return new PrismaClient({ adapter });
}

/** Resolves when PostgreSQL answers a query, rejects otherwise: the /health probe. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.$queryRawUnsafe('SELECT 1');
}
