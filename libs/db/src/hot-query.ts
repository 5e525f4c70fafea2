import pg from 'pg';
import { poolOf, type Database } from './client';

const connected = new WeakSet<object>();

/** What hotQuery runs on: a client from createDatabase, or a transaction client (which has $queryRawUnsafe too). */
export interface RawQueryable {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

const DATE_OID = 1082;
/** A `date` column as the ORM gives it (midnight UTC), not pg's local midnight. */
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === DATE_OID
      ? (v: string) => new Date(`${v}T00:00:00Z`)
      : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
} as unknown as pg.CustomTypesConfig;

/**
 * One SQL statement on the hot path as a named prepared statement on the client's own pg pool: parsed and planned once
 * per connection, and none of the ORM's per-query work (its query compiler and result mapping cost about a
 * millisecond of CPU per statement in the notifier bench's profile). Inside a transaction, or on a client this library
 * did not make, the same text runs through $queryRawUnsafe. `text` uses $1, $2... and must be a constant per `name`.
 *
 * Results are pg's: timestamps and dates as Date, json as objects, 32-bit integers as numbers, bigint and numeric as
 * strings (use Number()).
 */
export async function hotQuery<R>(db: RawQueryable, name: string, text: string, values: unknown[]): Promise<R[]> {
  const pool = poolOf(db);
  // An ended pool (the client was disconnected; the ORM reconnects with a pool of its own): the ORM's path.
  if (!pool || pool.ended) return db.$queryRawUnsafe<R[]>(text, ...values);
  // The ORM ends the pool on $disconnect only once it has connected: a client used only here must connect too.
  if (!connected.has(db)) {
    await (db as unknown as Database).$connect();
    connected.add(db);
  }
  const result = await pool.query<R & pg.QueryResultRow>({ name, text, values, types });
  return result.rows;
}
