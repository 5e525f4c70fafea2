// `npm start`: set up, then run all five services in sandbox mode (unless credentials are in
// the environment or .env), wait for every /health, print the URLs, and stop them all on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { APPS, ROOT, fail, log, offerDemo, setup } from './lib.mjs';

// npm start [--demo | --no-demo] [--no-setup]; an unknown flag is refused with this usage, not ignored.
let flags;
try {
  flags = parseArgs({ options: { demo: { type: 'boolean' }, 'no-demo': { type: 'boolean' }, 'no-setup': { type: 'boolean' } } }).values;
} catch (err) {
  fail(`${err.message}\nusage: npm start [-- --demo | --no-demo] [--no-setup]`);
}
const skipSetup = flags['no-setup'] === true;
const demo = flags.demo === true || process.env.RECOUP_DEMO === '1';
const noDemo = flags['no-demo'] === true || process.env.RECOUP_DEMO === '0';
if (!skipSetup) await setup();
else process.env.DATABASE_URL ||= 'postgresql://postgres@127.0.0.1:5432/recoup';

// Inbound webhooks are verified even in sandbox mode; without real secrets we make some up,
// print them, and the local fakes sign with them.
const generated = {};
for (const [name, make] of [
  ['TWILIO_AUTH_TOKEN', () => randomBytes(16).toString('hex')],
  ['STRIPE_WEBHOOK_SECRET', () => `whsec_${randomBytes(24).toString('base64url')}`],
  ['ADMIN_API_KEY', () => `rk_admin_${randomBytes(24).toString('base64url')}`],
  ['INTERNAL_API_TOKEN', () => randomBytes(24).toString('base64url')],
]) {
  if (!process.env[name]) {
    process.env[name] = make();
    generated[name] = process.env[name];
    log(`${name} was not set; generated one for this run: ${process.env[name]}`);
  }
}
// Tools that talk to this running stack (npm run demo) read the generated secrets from here.
mkdirSync(path.join(ROOT, '.run'), { recursive: true });
writeFileSync(
  path.join(ROOT, '.run', 'stack.env'),
  Object.entries({ ...generated, ...Object.fromEntries(APPS.map((a) => [a.portVar, process.env[a.portVar] || String(a.port)])) })
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n',
  { mode: 0o600 },
);

// The console (apps/ivr-dashboard): one vite build (about a second), served with the other services below.
const vite = spawnSync(
  process.execPath,
  ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/ivr-dashboard/vite.config.ts', '--logLevel', 'warn'],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
);
if (vite.status !== 0) fail('the console did not build (vite build --config apps/ivr-dashboard/vite.config.ts)');

const children = APPS.map((app) => {
  const port = Number(process.env[app.portVar] || app.port);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('apps', app.name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      TSX_TSCONFIG_PATH: 'tsconfig.base.json',
      PREDICTION_URL: process.env.PREDICTION_URL || `http://127.0.0.1:${process.env.PREDICTION_PORT || 8001}`,
      VOICE_AGENT_URL: process.env.VOICE_AGENT_URL || `http://127.0.0.1:${process.env.VOICE_AGENT_PORT || 8003}`,
      // One gateway origin for the whole stack: the notifier's sandbox links and the gateway's same-origin check agree.
      COLLECTIONS_API_PUBLIC_URL: process.env.COLLECTIONS_API_PUBLIC_URL || `http://127.0.0.1:${process.env.COLLECTIONS_API_PORT || 8000}`,
      // The IVR's webhooks (where the sandbox phone posts, and the URL it signs) on the port it really listens on.
      ...(app.name === 'ivr-negotiation' && !process.env.PUBLIC_BASE_URL && { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { ...app, port, child, exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
});

{
  const port = Number(process.env.DASHBOARD_PORT || 3000);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('apps', 'ivr-dashboard', 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DASHBOARD_PORT: String(port),
      IVR_NEGOTIATION_URL: process.env.IVR_NEGOTIATION_URL || `http://127.0.0.1:${process.env.IVR_NEGOTIATION_PORT || 8004}`,
      COLLECTIONS_API_URL: process.env.COLLECTIONS_API_URL || `http://127.0.0.1:${process.env.COLLECTIONS_API_PORT || 8000}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push({
    name: 'console',
    port,
    child,
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  });
}

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping services`);
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
  const results = await Promise.all(children.map((c) => c.exit));
  const failed = children.filter((_, i) => results[i].code !== 0);
  if (failed.length > 0) fail(`did not stop cleanly: ${failed.map((c) => c.name).join(', ')}`);
  log('all services stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

for (const c of children) {
  void c.exit.then(({ code, signal }) => {
    if (!stopping) {
      stopping = true;
      for (const other of children) if (other !== c && other.child.exitCode === null) other.child.kill('SIGTERM');
      fail(`${c.name} exited unexpectedly (${code ?? signal}); stopped the others`);
    }
  });
}

async function healthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

const deadline = Date.now() + 60_000;
const started = Date.now();
const pending = new Set(children);
while (pending.size > 0 && Date.now() < deadline && !stopping) {
  for (const c of [...pending]) if (await healthy(c.port)) pending.delete(c);
  if (pending.size > 0) await new Promise((r) => setTimeout(r, 300));
}
if (stopping) await new Promise(() => undefined);
if (pending.size > 0) {
  log(`not healthy after 60 s: ${[...pending].map((c) => c.name).join(', ')}`);
} else {
  const rows = children.map(
    (c) =>
      `  ${c.name.padEnd(16)} http://127.0.0.1:${c.port}   ${c.name === 'console' ? '(open this)' : `docs: http://127.0.0.1:${c.port}/docs`}`,
  );
  log(`all services healthy in ${((Date.now() - started) / 1000).toFixed(1)} s\n${rows.join('\n')}\n  Ctrl-C stops everything.`);
  await offerDemo({ demo, declined: noDemo, collectionsUrl: `http://127.0.0.1:${process.env.COLLECTIONS_API_PORT || 8000}` });
}
