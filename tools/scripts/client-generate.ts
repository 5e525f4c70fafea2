// npm run client:generate — writes each service's OpenAPI document (libs/client/openapi/<service>.json) and the
// typed paths openapi-typescript makes of it (libs/client/src/generated/<service>.ts). Builds each app the way its
// service-contract test does (against the local PostgreSQL and Redis, nothing started), asks it for /openapi.json,
// then closes it; the types come from tools/scripts/client-types.mjs. `--check` writes nothing and exits 1 when a checked-in file differs (CI: the client is current).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Express } from 'express';
import request from 'supertest';
import * as collectionsApi from '../../apps/collections-api/src/app';
import * as collectionsApiConfig from '../../apps/collections-api/src/config';
import * as collectionsApiDeps from '../../apps/collections-api/src/deps';
import * as ivr from '../../apps/ivr-negotiation/src/app';
import * as ivrConfig from '../../apps/ivr-negotiation/src/config';
import * as ivrDeps from '../../apps/ivr-negotiation/src/deps';
import * as notifier from '../../apps/notifier/src/app';
import * as notifierConfig from '../../apps/notifier/src/config';
import * as notifierDeps from '../../apps/notifier/src/deps';
import * as prediction from '../../apps/prediction/src/app';
import * as predictionConfig from '../../apps/prediction/src/config';
import * as predictionDeps from '../../apps/prediction/src/deps';
import * as voice from '../../apps/voice-agent/src/app';
import * as voiceConfig from '../../apps/voice-agent/src/config';
import * as voiceDeps from '../../apps/voice-agent/src/deps';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'libs', 'client');

interface Built {
  app: Express;
  close: () => Promise<unknown>;
}
type Builder = (env: NodeJS.ProcessEnv) => Built;

// Same shape as each app's app.int-spec.ts: loadConfig(env) → buildDeps → createApp.
const SERVICES: Array<[string, Builder]> = [
  ['collections-api', (env) => build(collectionsApiConfig, collectionsApiDeps, collectionsApi, env)],
  [
    'prediction',
    (env) => build(predictionConfig, predictionDeps, prediction, { ...env, MODEL_DIR: path.join(ROOT, 'apps', 'prediction', 'models') }),
  ],
  ['voice-agent', (env) => build(voiceConfig, voiceDeps, voice, env)],
  ['ivr-negotiation', (env) => build(ivrConfig, ivrDeps, ivr, env)],
  ['notifier', (env) => build(notifierConfig, notifierDeps, notifier, env)],
];

function build(
  config: { loadConfig: (env: NodeJS.ProcessEnv) => { config: unknown; providers: unknown } },
  deps: { buildDeps: (config: never, providers: never) => unknown },
  app: { createApp: (deps: never) => Express },
  env: NodeJS.ProcessEnv,
): Built {
  const loaded = config.loadConfig(env);
  const built = deps.buildDeps(loaded.config as never, loaded.providers as never) as { close: () => Promise<unknown> };
  return { app: app.createApp(built as never), close: () => built.close() };
}

/** The document as the service serves it, at the path the test compares. */
export async function serviceDocument(service: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const builder = SERVICES.find(([name]) => name === service)?.[1];
  if (!builder) throw new Error(`unknown service ${service}`);
  const built = builder(env);
  try {
    // Closing while Redis connections are still opening makes BullMQ emit an unhandled error: wait until healthy.
    for (let i = 0; i < 100 && (await request(built.app).get('/health')).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const res = await request(built.app).get('/openapi.json');
    if (res.status !== 200) throw new Error(`${service} /openapi.json answered ${res.status}`);
    if (process.env.LIST_ROUTES) {
      const { mountedRoutes } = await import('../../libs/http/src/routes');
      process.stdout.write(
        `${service}:\n${mountedRoutes(built.app as never)
          .map((r) => `  ${r.method} ${r.path}`)
          .join('\n')}\n`,
      );
    }
    return res.body as Record<string, unknown>;
  } finally {
    await built.close();
  }
}

async function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: 'client-generate',
    HEALTH_TIMEOUT_MS: '500',
  };
  const stale: string[] = [];
  for (const [service] of SERVICES) {
    const doc = await serviceDocument(service, env);
    const file = path.join(OUT, 'openapi', `${service}.json`);
    const json = JSON.stringify(doc, null, 2) + '\n';
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = '';
    }
    if (current === json) continue;
    if (values.check) stale.push(path.relative(ROOT, file));
    else {
      writeFileSync(file, json);
      process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
    }
  }
  const { writeTypes } = (await import('./client-types.mjs')) as { writeTypes: (o: { check: boolean }) => Promise<string[]> };
  stale.push(...(await writeTypes({ check: values.check })));
  if (stale.length) {
    process.stderr.write(`out of date (run npm run client:generate):\n  ${stale.join('\n  ')}\n`);
    process.exit(1);
  }
  process.exit(0);
}

if (require.main === module)
  void main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
