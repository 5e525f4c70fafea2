import type { Server } from 'node:http';
import { ApiKeyService } from '@recoup/auth';
import { closeServer, listen } from '@recoup/http';
import { createTestDatabase, deletePrefix, freePort, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { Redis } from 'ioredis';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { buildDeps, type Deps, type DepsOverrides } from '../deps';
import { FakeTwilioIvr } from './fake-twilio-ivr';
import { seedTenant } from './seed';

export const TWILIO_TOKEN = 'test-twilio-auth-token-0123456789';
export const ADMIN_KEY = 'rk_admin_test_0123456789abcdefghijklmn';
/** Wednesday 18 November 2026, 11:00 in London: inside every contact-hours rule. */
export const WORKING_HOURS = new Date('2026-11-18T11:00:00Z');

export interface IvrHarness {
  url: string;
  deps: Deps;
  twilio: FakeTwilioIvr;
  database: TestDatabase;
  tenantId: string;
  tenantKey: string;
  clock: () => Date;
  close(): Promise<void>;
}

/** The real service on a loopback port, its own database and queue prefix, a fake Twilio driving its webhooks. */
export async function startIvr(env: NodeJS.ProcessEnv = {}, overrides: DepsOverrides = {}): Promise<IvrHarness> {
  const database = await createTestDatabase();
  const port = await freePort();
  const prefix = testQueuePrefix();
  const url = `http://127.0.0.1:${port}`;
  const twilio = new FakeTwilioIvr(TWILIO_TOKEN);
  const { config, providers } = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    ADMIN_API_KEY: ADMIN_KEY,
    PUBLIC_BASE_URL: url,
    IVR_SPECIALIST_NUMBER: '+442071234567',
    ...env,
  });
  const clock = overrides.clock ?? (() => WORKING_HOURS);
  const deps = buildDeps(config, providers, { sandboxDriver: twilio, clock, ...overrides });
  await deps.events.ready();
  const server: Server = await listen(createApp(deps), port, '127.0.0.1');
  void deps.worker.run();
  const tenant = await seedTenant(deps.db);
  const issued = await new ApiKeyService(deps.db).issue(tenant.id);
  return {
    url,
    deps,
    twilio,
    database,
    tenantId: tenant.id,
    tenantKey: issued.key,
    clock,
    async close() {
      deps.streams.closeAll();
      await closeServer(server, 1000);
      await deps.close();
      const redis = new Redis(testRedisUrl());
      await deletePrefix(redis, prefix).finally(() => redis.quit());
      await database.drop();
    },
  };
}

export async function api(
  h: IvrHarness,
  path: string,
  init: RequestInit & { key?: string | null } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test JSON bodies
): Promise<{ status: number; body: any; headers: Headers }> {
  const key = init.key === undefined ? h.tenantKey : init.key;
  const res = await fetch(h.url + path, {
    ...init,
    headers: {
      ...(init.body && typeof init.body === 'string' && !String(init.body).includes('client_id,')
        ? { 'content-type': 'application/json' }
        : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, body, headers: res.headers };
}
