import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client';

export type Database = PrismaClient;

/** The pg pool under each client, for the few hot statements that skip the ORM (see hotQuery). */
const pools = new WeakMap<object, pg.Pool>();

/**
 * A Prisma client on the pg driver adapter (no native query engine). A `?schema=` parameter
 * in the URL selects the PostgreSQL schema, as Prisma's own URLs do.
 */
export function createDatabase(databaseUrl: string, options: { poolSize?: number } = {}): Database {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
  const db = new PrismaClient({
    adapter: new PrismaPg(pool, { schema, disposeExternalPool: true }),
    // Prisma's defaults (2 s to start a transaction, 5 s to finish it) fail use cases that are merely queued behind a
    // row lock or a busy pool on a loaded machine: a payment webhook burst must wait its turn, not 500.
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
  // Raw SQL names no schema: with one selected, hot statements stay on the ORM's connection settings.
  if (!schema) pools.set(db, pool);
  return db;
}

/** The pool behind a client made by createDatabase (none inside a transaction or with a selected schema). */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

/** Resolves when PostgreSQL answers a query, rejects otherwise: the /health probe. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.$queryRawUnsafe('SELECT 1');
}
