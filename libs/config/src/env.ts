import { z } from 'zod';

/**
 * Thrown when the environment does not satisfy an app's schema. The message is one line that
 * names every missing or invalid variable; values are never echoed, so secrets cannot leak.
 */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: ReadonlyArray<{ variable: string; problem: string }>,
  ) {
    super(`${app}: invalid environment: ${problems.map((p) => `${p.variable} (${p.problem})`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? '');
  if (env[variable] === undefined || env[variable] === '') return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join('|')}`;
    case 'too_small':
      return `must be >= ${String(issue.minimum)}`;
    case 'too_big':
      return `must be <= ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'regex' ? issue.message : `expected ${issue.format}`;
    default:
      return issue.message;
  }
}

/** Empty strings count as unset, as a blank line in `.env` means "not configured". */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) out[k] = v === '' ? undefined : v;
  return out;
}

/**
 * Parses `env` against an app's schema and returns a frozen config, or throws a ConfigError
 * listing every bad variable at once (not just the first).
 */
export function parseEnv<S extends z.ZodObject>(app: string, schema: S, env: NodeJS.ProcessEnv): Readonly<z.infer<S>> {
  const cleaned = withoutBlanks(env);
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const seen = new Set<string>();
    const problems: Array<{ variable: string; problem: string }> = [];
    for (const issue of result.error.issues) {
      const variable = issue.path.map(String).join('.') || '(root)';
      if (seen.has(variable)) continue;
      seen.add(variable);
      problems.push({ variable, problem: describeIssue(issue, cleaned) });
    }
    throw new ConfigError(app, problems);
  }
  return Object.freeze(result.data);
}
