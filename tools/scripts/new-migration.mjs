// `npm run db:migration -- <name>`: writes prisma/migrations/<UTC timestamp>_<name>/migration.sql
// with the SQL that takes the last committed schema.prisma to the one in your working tree.
// (Prisma's own `migrate dev` needs a native engine or introspection that fails offline; the
// drift test keeps "committed schema == committed migrations" true, so this diff is exact.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, ensurePrismaClient, fail, loadDotEnv, log } from './lib.mjs';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) fail('usage: npm run db:migration -- <snake_case_name>');
loadDotEnv();
ensurePrismaClient();
const schemaPath = 'libs/db/prisma/schema.prisma';
const previous = path.join(mkdtempSync(path.join(tmpdir(), 'recoup-schema-')), 'schema.prisma');
writeFileSync(previous, execFileSync('git', ['show', `HEAD:${schemaPath}`], { cwd: ROOT }));
const cli = path.join(ROOT, 'node_modules/prisma/build/index.js');
const result = spawnSync(
  process.execPath,
  [
    '-r',
    path.join(ROOT, 'libs/db/prisma-cli-preload.cjs'),
    cli,
    'migrate',
    'diff',
    '--from-schema-datamodel',
    previous,
    '--to-schema-datamodel',
    schemaPath,
    '--script',
    '--config',
    'libs/db/prisma.config.ts',
  ],
  {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: cli,
      PRISMA_QUERY_ENGINE_LIBRARY: cli,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  },
);
if (result.status !== 0) fail(`migrate diff failed:\n${result.stderr}`);
if (!result.stdout.trim() || /^-- This is an empty migration/m.test(result.stdout))
  fail('schema.prisma has no changes since the last commit');
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(ROOT, 'libs/db/prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), result.stdout);
log(`wrote ${path.relative(ROOT, dir)}/migration.sql; review it, then run npm run db:migrate`);
