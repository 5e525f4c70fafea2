import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ROOT } from './stack';

/** KEY=VALUE lines (npm start's .run/stack.env, or .env); the shell's own values win. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  // Node's own .env parser (the one behind process.loadEnvFile and --env-file); blank values mean "use the default".
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** The running stack's settings, as tools that talk to it (`npm run demo`, `npm run seed`) see them. */
export function stackEnv(): Record<string, string | undefined> {
  return { ...readEnvFile(path.join(ROOT, '.env')), ...readEnvFile(path.join(ROOT, '.run', 'stack.env')), ...process.env };
}
