import { execSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../../..');

/** Debian's chromium package (installed by .ci/run when missing), or CHROMIUM_PATH: what browser tests drive through playwright-core. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install chromium (.ci/run does it), or set CHROMIUM_PATH');
  }
}

/** The arguments every headless browser test launches chromium with. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * A service's entry point (`apps/<app>/src/main.ts`) as a process through tsx, as `npm start` runs it; `ready` resolves
 * once `<url>/health` answers 2xx (a loaded machine can take a minute to start one), and fails naming its last output.
 */
export function serveScript(
  what: string,
  script: string,
  env: NodeJS.ProcessEnv,
  url: string,
  timeoutMs = 120_000,
): { child: ChildProcess; ready: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const ready = waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, { what, timeoutMs }).catch((err: Error) => {
    throw new Error(`${err.message}; its output ends: ${output.slice(-600)}`);
  });
  return { child, ready };
}
