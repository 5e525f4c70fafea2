// Shared steps of `npm start`, `npm test` and `npm run db:migrate`. Plain Node (no TypeScript)
// so they run before dependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const APPS = [
  { name: 'collections-api', port: 8000, portVar: 'COLLECTIONS_API_PORT' },
  { name: 'prediction', port: 8001, portVar: 'PREDICTION_PORT' },
  { name: 'voice-agent', port: 8003, portVar: 'VOICE_AGENT_PORT' },
  { name: 'ivr-negotiation', port: 8004, portVar: 'IVR_NEGOTIATION_PORT' },
  { name: 'notifier', port: 8005, portVar: 'NOTIFIER_PORT' },
];

export function log(message) {
  process.stdout.write(`\x1b[36m[recoup]\x1b[0m ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`\x1b[31m[recoup]\x1b[0m ${message}\n`);
  process.exit(1);
}

/** Loads `.env` (if any) without overriding what the shell already set. */
export function loadDotEnv() {
  const file = path.join(ROOT, '.env');
  if (existsSync(file)) {
    const before = { ...process.env };
    process.loadEnvFile(file);
    Object.assign(process.env, before);
  }
  process.env.DATABASE_URL ||= 'postgresql://postgres@127.0.0.1:5432/recoup';
  process.env.REDIS_URL ||= 'redis://127.0.0.1:6379';
}

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env, ...options });
  if (result.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/**
 * Installs the locked versions when node_modules is missing or older than the lockfile. `npm install` (the image
 * uses `npm ci`) keeps an existing node_modules; from a complete lockfile it installs exactly the locked tree. Then
 * the lockfile must be unchanged: `strict` (npm test, so CI on a clean clone) fails when the install rewrote it,
 * because a lockfile that a fresh install rewrites makes builds unreproducible and leaves a clean clone dirty.
 */
export function ensureInstalled({ strict = false } = {}) {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lockfile = path.join(ROOT, 'package-lock.json');
  if (mtime(marker) >= mtime(lockfile)) return;
  const before = readFileSync(lockfile, 'utf8');
  log('installing dependencies (npm install from package-lock.json)');
  run('npm', ['install', '--no-audit', '--no-fund']);
  if (readFileSync(lockfile, 'utf8') === before) return;
  const message = 'npm install rewrote package-lock.json: a fresh install must leave it unchanged (commit the lockfile it wrote)';
  if (strict) fail(message);
  log(`warning: ${message}`);
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : mtime(full));
  }
  return newest;
}

/** Generates the Prisma client when it is missing or older than the schema. */
export function ensurePrismaClient() {
  const schema = path.join(ROOT, 'libs/db/prisma/schema.prisma');
  const generated = path.join(ROOT, 'libs/db/src/generated');
  if (existsSync(generated) && newestIn(generated) >= mtime(schema)) return;
  log('generating the Prisma client');
  run(process.execPath, [path.join(ROOT, 'node_modules/prisma/build/index.js'), 'generate', '--config', 'libs/db/prisma.config.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(ROOT, 'node_modules/prisma/build/index.js'),
      PRISMA_QUERY_ENGINE_LIBRARY: path.join(ROOT, 'node_modules/prisma/build/index.js'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}

function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fails with a clear message when PostgreSQL or Redis is not reachable. */
export async function ensureBackingServices() {
  for (const [name, raw, fallbackPort] of [
    ['PostgreSQL', process.env.DATABASE_URL, 5432],
    ['Redis', process.env.REDIS_URL, 6379],
  ]) {
    const url = new URL(raw);
    const port = Number(url.port || fallbackPort);
    if (!(await tcpAnswers(url.hostname, port))) {
      fail(
        `${name} is not reachable at ${url.hostname}:${port}; start it (see README, "Quick start") or set ${name === 'Redis' ? 'REDIS_URL' : 'DATABASE_URL'}`,
      );
    }
  }
}

export function migrate() {
  run(process.execPath, ['--import', 'tsx', 'libs/db/src/migrate.cli.ts'], {
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
  });
}

/** Everything `npm start` and `npm test` need before they run anything (`strict`: npm test, see ensureInstalled). */
export async function setup({ strict = false } = {}) {
  loadDotEnv();
  ensureInstalled({ strict });
  ensurePrismaClient();
  await ensureBackingServices();
  migrate();
}

/**
 * After `npm start` is healthy: `--demo` (or RECOUP_DEMO=1) seeds the demo tenant (`npm run seed`, idempotent);
 * otherwise, on a database with no tenant yet, says how. Never prompts: `npm start` runs unattended too.
 */
/**
 * The demo tenant: seeded when asked (`--demo`, RECOUP_DEMO=1), and on its own when the database has no tenant yet
 * (a fresh clone: the console at :3000 then shows calls progressing with no manual step). RECOUP_DEMO=0 or
 * `--no-demo` keeps an empty database empty. The seed refuses a live IVR provider, so this only happens in sandbox.
 */
export async function offerDemo({ demo, declined = false, collectionsUrl }) {
  let seed = demo;
  if (!seed && !declined) {
    try {
      const res = await fetch(`${collectionsUrl}/api/admin/metrics`, {
        headers: { authorization: `Bearer ${process.env.ADMIN_API_KEY}` },
        signal: AbortSignal.timeout(5_000),
      });
      seed = res.status === 200 && (await res.json()).tenants === 0;
      if (seed) log('the database has no tenant yet: seeding the demo tenant (RECOUP_DEMO=0 or --no-demo to skip)');
    } catch {
      // Only a convenience: the stack runs without it.
    }
  }
  if (!seed) return;
  log('seeding the demo tenant (npm run seed)');
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join('tools', 'e2e', 'src', 'demo-seed.cli.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
  });
  if (result.status !== 0) log(`the demo seed failed (exit ${result.status ?? result.signal}); the services keep running`);
}
