import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDatabase, pingDatabase } from './client';
import { PRISMA_SCHEMA, migrateDatabase, runPrisma } from './migrate';

// This suite builds its own empty databases: libs/testing depends on libs/db, not the other way round.
async function createEmptyDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  admin.pathname = '/postgres';
  admin.search = '';
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const sql = async (statement: string) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await sql(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * The structure of a database as PostgreSQL sees it, in a canonical order: columns (sorted by
 * name, so a column added by a later migration compares equal), constraints, indexes, enums.
 */
async function snapshot(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows: string[] = [];
    const columns = await client.query(`
      SELECT c.relname AS t, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             pg_get_expr(d.adbin, d.adrelid) AS dflt
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'
      ORDER BY 1, 2`);
    for (const r of columns.rows)
      rows.push(`column ${r.t}.${r.col} ${r.type}${r.not_null ? ' not null' : ''}${r.dflt ? ` default ${r.dflt}` : ''}`);
    const constraints = await client.query(`
      SELECT c.relname AS t, k.conname AS name, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations' ORDER BY 1, 2`);
    for (const r of constraints.rows) rows.push(`constraint ${r.t}.${r.name} ${r.def}`);
    const indexes = await client.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    );
    for (const r of indexes.rows) rows.push(`index ${r.indexname} ${r.indexdef}`);
    const enums = await client.query(`
      SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY 1 ORDER BY 1`);
    for (const r of enums.rows) rows.push(`enum ${r.name} ${r.labels}`);
    return rows;
  } finally {
    await client.end();
  }
}

/** Builds a database straight from a schema file (no migrations), the way `migrate diff --from-empty` sees it. */
async function databaseFromSchema(schemaFile: string): Promise<{ url: string; drop(): Promise<void> }> {
  const target = await createEmptyDatabase('recoup_schema');
  const diff = await runPrisma(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schemaFile, '--script'], target.url);
  if (diff.code !== 0) throw new Error(`migrate diff failed: ${diff.stderr}`);
  const client = new Client({ connectionString: target.url });
  await client.connect();
  await client.query(diff.stdout);
  await client.end();
  return target;
}

describe('migrations', () => {
  let migrated: { url: string; drop(): Promise<void> };
  let migratedSnapshot: string[];

  beforeAll(async () => {
    migrated = await createEmptyDatabase('recoup_migrated');
    await migrateDatabase(migrated.url);
    migratedSnapshot = await snapshot(migrated.url);
  });
  afterAll(async () => {
    await migrated?.drop();
  });

  it('apply to an empty database, and the Prisma client on the pg adapter can query the result', async () => {
    expect(migratedSnapshot.length).toBeGreaterThan(50);
    const db = createDatabase(migrated.url);
    try {
      await pingDatabase(db);
      const tenant = await db.tenant.create({ data: { name: 'Acme Ltd', tier: 'growth' } });
      const client = await db.client.create({
        data: { tenantId: tenant.id, name: 'Debtor Ltd', kind: 'business', stoppedChannels: ['sms'] },
      });
      const invoice = await db.invoice.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          reference: 'INV-1',
          amountPence: 50_000,
          issueDate: new Date('2026-10-01'),
          dueDate: new Date('2026-10-31'),
        },
      });
      const read = await db.invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { client: true } });
      expect(read).toMatchObject({ amountPence: 50_000, currency: 'GBP', status: 'open', client: { stoppedChannels: ['sms'] } });
      await expect(
        db.invoice.create({
          data: {
            tenantId: tenant.id,
            clientId: client.id,
            reference: 'INV-1',
            amountPence: 1,
            issueDate: new Date(),
            dueDate: new Date(),
          },
        }),
      ).rejects.toThrow(/Unique constraint/);
    } finally {
      await db.$disconnect();
    }
  });

  it('are idempotent: deploying again applies nothing', async () => {
    const again = await migrateDatabase(migrated.url);
    expect(again.stdout + again.stderr).toMatch(/No pending migrations|All migrations have been successfully applied/);
    expect(await snapshot(migrated.url)).toEqual(migratedSnapshot);
  });

  it('agree with schema.prisma (no drift)', async () => {
    const fromSchema = await databaseFromSchema(PRISMA_SCHEMA);
    try {
      expect(await snapshot(fromSchema.url)).toEqual(migratedSnapshot);
    } finally {
      await fromSchema.drop();
    }
  });

  it('would notice drift: a field added to the schema without a migration differs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recoup-drift-'));
    const drifted = path.join(dir, 'schema.prisma');
    copyFileSync(PRISMA_SCHEMA, drifted);
    writeFileSync(drifted, readFileSync(drifted, 'utf8').replace('model Tenant {\n', 'model Tenant {\n  nickname String?\n'));
    const fromSchema = await databaseFromSchema(drifted);
    try {
      const snap = await snapshot(fromSchema.url);
      expect(snap).not.toEqual(migratedSnapshot);
      expect(snap).toContain('column tenants.nickname text');
    } finally {
      await fromSchema.drop();
    }
  });
});
