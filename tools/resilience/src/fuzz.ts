import { HOSTILE_PATH_VALUES, HOSTILE_STRINGS, hostileBodies, type HostileCase, type JsonSchema } from './hostile-bodies';

export interface FuzzTarget {
  /** Service name, for the report. */
  name: string;
  baseUrl: string;
  /** Sent with every request (Authorization for the routes behind auth). */
  headers?: Record<string, string>;
  /** Paths (OpenAPI form) to leave out, e.g. a route that deliberately streams forever. */
  skip?: string[];
  /**
   * Routes outside the OpenAPI document (provider webhooks). With `sign`, each hostile form body is
   * also sent correctly signed, so the handler behind the signature check is fuzzed too.
   */
  extra?: Array<{ method: string; path: string; sign?: (url: string, form: Record<string, string>) => Record<string, string> }>;
}

export interface FuzzFinding {
  target: string;
  method: string;
  path: string;
  label: string;
  status: number | 'connection-error';
  detail?: string;
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors: FuzzFinding[];
  connectionErrors: FuzzFinding[];
  unhealthyAfter: string[];
  routes: number;
}

interface Operation {
  method: string;
  path: string;
  body?: JsonSchema;
  query: { name: string }[];
  sign?: (url: string, form: Record<string, string>) => Record<string, string>;
}

interface OpenApiDoc {
  paths?: Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; parameters?: { name: string; in: string }[] }>
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const RANDOM_UUID = '3f0c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a40';

async function loadOperations(target: FuzzTarget): Promise<{ ops: Operation[]; components: Record<string, JsonSchema> }> {
  const res = await fetch(new URL('/openapi.json', target.baseUrl));
  if (!res.ok) throw new Error(`${target.name}: /openapi.json answered ${res.status}`);
  const doc = (await res.json()) as OpenApiDoc;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (target.skip?.includes(path)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      ops.push({
        method: method.toUpperCase(),
        path,
        body: op.requestBody?.content?.['application/json']?.schema,
        query: (op.parameters ?? []).filter((p) => p.in === 'query'),
      });
    }
  }
  for (const extra of target.extra ?? []) ops.push({ method: extra.method.toUpperCase(), path: extra.path, query: [], sign: extra.sign });
  return { ops, components: doc.components?.schemas ?? {} };
}

/** Percent-encodes, sending a lone surrogate as the invalid UTF-8 bytes a hostile client would. */
function encodeHostile(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function fillPath(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, value);
}

/** Every request a route gets: bodies for writes, hostile ids in the path, hostile query strings. */
/** Twilio-style webhook params with hostile values, as the form Twilio posts. */
function hostileForms(count: number, seed: number): Array<{ label: string; form: Record<string, string> }> {
  const names = [
    'CallSid',
    'MessageSid',
    'MessageStatus',
    'CallStatus',
    'From',
    'To',
    'Body',
    'SpeechResult',
    'Confidence',
    'AnsweredBy',
    'ErrorCode',
    'CallDuration',
    'RecordingSid',
    'Digits',
  ];
  const out: Array<{ label: string; form: Record<string, string> }> = [{ label: 'signed empty form', form: {} }];
  let i = seed;
  while (out.length < count) {
    const form: Record<string, string> = {};
    for (const name of names)
      if ((i = (i * 1103515245 + 12345) >>> 0) % 3 === 0) form[name] = HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] ?? '';
    form.CallSid ??= 'CA' + 'f'.repeat(32);
    out.push({ label: `signed hostile form (${Object.keys(form).join(',')})`, form });
  }
  return out;
}

function casesFor(
  op: Operation,
  components: Record<string, JsonSchema>,
  perRoute: number,
  seed: number,
): Array<{ url: string; label: string; body?: HostileCase; headers?: Record<string, string> }> {
  const out: Array<{ url: string; label: string; body?: HostileCase; headers?: Record<string, string> }> = [];
  if (op.sign) {
    for (const { label, form } of hostileForms(Math.ceil(perRoute / 2), seed)) {
      const body = new URLSearchParams(form).toString();
      out.push({
        url: op.path,
        label,
        headers: op.sign(op.path, form),
        body: { label, contentType: 'application/x-www-form-urlencoded', body: Buffer.from(body) },
      });
    }
  }
  const hasParams = /\{[^}]+\}/.test(op.path);
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    for (const body of hostileBodies(op.body, components, perRoute, seed))
      out.push({ url: fillPath(op.path, RANDOM_UUID), label: body.label, body });
  }
  if (hasParams)
    for (const value of HOSTILE_PATH_VALUES) out.push({ url: fillPath(op.path, value), label: `path value ${value.slice(0, 24)}` });
  const queryNames = op.query.length ? op.query.map((q) => q.name) : ['limit', 'cursor'];
  for (const [i, hostile] of HOSTILE_STRINGS.slice(0, 12).entries()) {
    const name = queryNames[i % queryNames.length] ?? 'q';
    out.push({ url: `${fillPath(op.path, RANDOM_UUID)}?${encodeHostile(name)}=${encodeHostile(hostile)}`, label: `query ${name}` });
  }
  out.push({
    url: `${fillPath(op.path, RANDOM_UUID)}?${queryNames[0] ?? 'q'}[$gt]=&${queryNames[0] ?? 'q'}[]=1&__proto__[x]=1`,
    label: 'query object injection',
  });
  return out;
}

async function send(
  target: FuzzTarget,
  method: string,
  url: string,
  body?: HostileCase,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL(url, target.baseUrl), {
    method,
    headers: { ...(target.headers ?? {}), ...(body ? { 'content-type': body.contentType } : {}), ...headers },
    body: body ? new Uint8Array(body.body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, text: text.slice(0, 300) };
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Posts hostile input to every route each target publishes in /openapi.json and reports every 5xx
 * and every refused connection (a crashed process). Afterwards every target must answer /health.
 */
export async function runFuzz(
  targets: FuzzTarget[],
  options: { perRoute?: number; concurrency?: number; seed?: number; log?: (line: string) => void } = {},
): Promise<FuzzReport> {
  const { perRoute = 60, concurrency = 8, seed = 20261122, log = () => undefined } = options;
  const report: FuzzReport = { requests: 0, byStatus: {}, serverErrors: [], connectionErrors: [], unhealthyAfter: [], routes: 0 };
  for (const target of targets) {
    const { ops, components } = await loadOperations(target);
    report.routes += ops.length;
    const jobs = ops.flatMap((op) => casesFor(op, components, perRoute, seed).map((c) => ({ op, ...c })));
    log(`${target.name}: ${ops.length} routes, ${jobs.length} hostile requests`);
    await pool(jobs, concurrency, async ({ op, url, label, body, headers }) => {
      report.requests++;
      try {
        const { status, text } = await send(target, op.method, url, body, headers);
        const bucket = `${Math.floor(status / 100)}xx`;
        report.byStatus[bucket] = (report.byStatus[bucket] ?? 0) + 1;
        if (status >= 500) report.serverErrors.push({ target: target.name, method: op.method, path: op.path, label, status, detail: text });
      } catch (error) {
        report.connectionErrors.push({
          target: target.name,
          method: op.method,
          path: op.path,
          label,
          status: 'connection-error',
          detail: (error as Error).message,
        });
      }
    });
  }
  for (const target of targets) {
    const healthy = await fetch(new URL('/health', target.baseUrl), { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (!healthy) report.unhealthyAfter.push(target.name);
  }
  return report;
}
