import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

const DB_ROOT = path.resolve(__dirname, '..');
const WORKSPACE_ROOT = path.resolve(DB_ROOT, '..', '..');
const PRISMA_CLI = path.join(WORKSPACE_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
const CLI_PRELOAD = path.join(DB_ROOT, 'prisma-cli-preload.cjs');
export const PRISMA_CONFIG = path.join(DB_ROOT, 'prisma.config.ts');
export const PRISMA_SCHEMA = path.join(DB_ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(DB_ROOT, 'prisma', 'migrations');

/**
 * Environment for the Prisma CLI offline. The CLI runs migrations on its bundled wasm schema
 * engine through the pg adapter (prisma.config.ts), but still tries to download native engines
 * unless these variables point at an existing file; they are never executed.
 */
export function prismaCliEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PRISMA_SCHEMA_ENGINE_BINARY: PRISMA_CLI,
    PRISMA_QUERY_ENGINE_LIBRARY: PRISMA_CLI,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_SKIP_POSTINSTALL_GENERATE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPrisma(args: string[], databaseUrl: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', CLI_PRELOAD, PRISMA_CLI, ...args, '--config', PRISMA_CONFIG], {
      cwd: WORKSPACE_ROOT,
      env: prismaCliEnv(databaseUrl),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Creates the database named in the URL if it does not exist (connecting to `postgres`). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing unusual database name "${name}"`);
  url.pathname = '/postgres';
  url.search = '';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      // Two services starting at once may race to create it; losing the race is fine.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return true;
  } finally {
    await admin.end();
  }
}

/** `npm run db:migrate`: create the database if needed, then apply committed migrations. */
export async function migrateDatabase(databaseUrl: string): Promise<CliResult> {
  await ensureDatabase(databaseUrl);
  const result = await runPrisma(['migrate', 'deploy'], databaseUrl);
  if (result.code !== 0) {
    throw new Error(`prisma migrate deploy failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}
