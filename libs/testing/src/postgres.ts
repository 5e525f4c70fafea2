import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR, createDatabase, migrateDatabase, type Database } from '@recoup/db';

/** Server to create test databases on; any database on it works as the admin connection. */
export function adminUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  url.search = '';
  return url.toString();
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fingerprint of the committed migrations: a new migration means a new template. */
function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(entry.name).update(readFileSync(full));
    }
  };
  walk(MIGRATIONS_DIR);
  return hash.digest('hex').slice(0, 12);
}

async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Migrates a template database once per set of migrations (serialised across Jest workers by
 * an advisory lock); each test file then gets a cheap copy with CREATE DATABASE ... TEMPLATE.
 */
async function ensureTemplate(): Promise<string> {
  const name = `recoup_tpl_${migrationsFingerprint()}`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(727001)');
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await migrateDatabase(withDatabase(adminUrl(), building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      // Templates of older migration sets are no longer needed.
      const stale = await admin.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'recoup_tpl_%' AND datname <> $1 AND datname NOT LIKE '%_building'",
        [name],
      );
      for (const row of stale.rows as Array<{ datname: string }>)
        await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(727001)');
    }
  });
  return name;
}

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own. Call drop() in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `recoup_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        // Another worker copying the same template at this instant: try again shortly.
        if ((err as { code?: string }).code !== '55006' || attempt > 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = withDatabase(adminUrl(), name);
  const db = createDatabase(url, { poolSize: 4 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** An empty database (no migrations), for tests of the migrations themselves. */
export async function createEmptyDatabase(prefix = 'recoup_empty'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: withDatabase(adminUrl(), name),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
