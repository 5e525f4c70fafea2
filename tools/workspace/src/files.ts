import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const APPS = [
  { name: 'collections-api', port: 8000 },
  { name: 'prediction', port: 8001 },
  { name: 'voice-agent', port: 8003 },
  { name: 'ivr-negotiation', port: 8004 },
  { name: 'notifier', port: 8005 },
];

export function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** Variable names documented in .env.example (commented or not). */
export function envExampleVariables(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string));
}

/** Every variable a service's zod env schema declares: keys of the config fragments and of each app's config.ts. */
export function declaredVariables(): Set<string> {
  const sources = [
    read('libs/config/src/fragments.ts'),
    ...readdirSync(path.join(ROOT, 'apps')).map((app) => read(`apps/${app}/src/config.ts`)),
  ];
  const names = new Set<string>();
  for (const source of sources) for (const m of source.matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)) names.add(m[1] as string);
  return names;
}
