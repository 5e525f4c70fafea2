import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './stack';

/** KEY=VALUE lines (npm start's .run/stack.env, or .env); the shell's own values win. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined && m[2] !== '') out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** The running stack's settings, as tools that talk to it (`npm run demo`, `npm run seed`) see them. */
export function stackEnv(): Record<string, string | undefined> {
  return { ...readEnvFile(path.join(ROOT, '.env')), ...readEnvFile(path.join(ROOT, '.run', 'stack.env')), ...process.env };
}
