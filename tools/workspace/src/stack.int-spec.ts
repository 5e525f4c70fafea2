import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, freePort, testQueuePrefix, waitFor, type TestDatabase } from '@recoup/testing';
import { APPS, ROOT } from './files';

function run(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

function waitForOutput(proc: ReturnType<typeof run>, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
    const check = () => {
      if (pattern.test(proc.output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.child.stdout!.on('data', check);
    void proc.exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${proc.output()}`));
    });
    check();
  });
}

describe('the whole stack as processes (npm start)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('brings all five /health endpoints to 200, serves /docs on each, seeds the demo on an empty database whose IVR calls progress on their own, and stops cleanly on SIGTERM', async () => {
    const ports: Record<string, number> = {};
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: testQueuePrefix(),
      LOG_LEVEL: 'warn',
      TWILIO_AUTH_TOKEN: '',
      STRIPE_WEBHOOK_SECRET: '',
    };
    for (const app of APPS) {
      ports[app.name] = await freePort();
      env[`${app.name.replace(/-/g, '_').toUpperCase()}_PORT`] = String(ports[app.name]);
    }
    const consolePort = await freePort();
    env.DASHBOARD_PORT = String(consolePort);
    const stack = run([path.join('tools', 'scripts', 'start.mjs'), '--no-setup'], env);
    try {
      await waitForOutput(stack, /all services healthy/, 60_000);
      // Without webhook secrets, npm start generates them and says so.
      expect(stack.output()).toMatch(/TWILIO_AUTH_TOKEN was not set; generated one for this run: [0-9a-f]{32}/);
      expect(stack.output()).toMatch(/STRIPE_WEBHOOK_SECRET was not set; generated one for this run: whsec_/);
      for (const app of APPS) {
        const health = await fetch(`http://127.0.0.1:${ports[app.name]}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'healthy', service: app.name, checks: { postgres: 'up', redis: 'up' } });
        const docs = await fetch(`http://127.0.0.1:${ports[app.name]}/docs/`);
        expect(docs.status).toBe(200);
      }
      // The console: the built app, and its proxies to the gateway (/gw/api) and ivr-negotiation (/api).
      const page = await fetch(`http://127.0.0.1:${consolePort}/`);
      expect(await page.text()).toContain('<title>Recoup console</title>');
      expect((await fetch(`http://127.0.0.1:${consolePort}/gw/api/outbox`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${consolePort}/api/calls`)).status).toBe(401);
      // A fresh database: npm start seeds the demo tenant by itself, and the sandbox phone answers its IVR calls, so the
      // console shows calls progressing with no manual step (issue 20).
      await waitForOutput(stack, /Demo key: (rcp_\S+)/, 90_000);
      const key = /Demo key: (rcp_\S+)/.exec(stack.output())?.[1];
      expect(key).toBeDefined();
      const finished = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${consolePort}/api/calls`, { headers: { authorization: `Bearer ${key}` } });
          const body = (await res.json()) as { data: Array<{ status: string; campaign_id: string | null }> };
          const done = (c: { status: string }) => ['confirmed', 'completed', 'no_response', 'transferred'].includes(c.status);
          // The campaign's calls and the debtor who calls back (inbound) both reach an end on their own.
          return body.data.some((c) => done(c) && c.campaign_id !== 'inbound') &&
            body.data.some((c) => done(c) && c.campaign_id === 'inbound')
            ? body.data
            : undefined;
        },
        { what: 'a demo campaign call and the inbound demo call to finish', timeoutMs: 90_000 },
      );
      expect(finished.length).toBeGreaterThan(0);
    } finally {
      stack.child.kill('SIGTERM');
    }
    expect(await stack.exit).toBe(0);
    expect(stack.output()).toContain('all services stopped');
  }, 300_000);

  it.each(APPS)('$name refuses to start with PORT=abc, in one line naming the variable', async ({ name }) => {
    const proc = run(['--import', 'tsx', path.join('apps', name, 'src', 'main.ts')], {
      PORT: 'abc',
      TSX_TSCONFIG_PATH: 'tsconfig.base.json',
    });
    expect(await proc.exit).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`${name}: invalid environment: PORT (expected number)`);
  });
});
