/**
 * Malformed and hostile request bodies for the fuzzer. Each case is raw bytes plus a content type,
 * so invalid UTF-8, broken JSON and wrong media types reach the server exactly as an attacker
 * would send them. Cases are derived from the route's JSON Schema where one is published, so the
 * mutations hit real field names (a wrong type in `amount` is a better probe than in `foo`).
 */
export interface HostileCase {
  label: string;
  contentType: string;
  body: Buffer;
}

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  $ref?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
};

const json = (label: string, value: unknown): HostileCase => ({
  label,
  contentType: 'application/json',
  body: Buffer.from(JSON.stringify(value)),
});
const raw = (label: string, text: string | Buffer, contentType = 'application/json'): HostileCase => ({
  label,
  contentType,
  body: typeof text === 'string' ? Buffer.from(text) : text,
});

/** Strings that have broken other systems: injection, markup, control characters, odd Unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  "'; DROP TABLE invoices; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(5)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '../../../../etc/passwd',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: x=1',
  '\ud800',
  '\uffff\ufffe',
  '𝕽𝖊𝖈𝖔𝖚𝖕 👩‍👩‍👧‍👦',
  'ﷺ'.repeat(200),
  ' ',
  '',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  '0x10',
  'true',
  'null',
  '__proto__',
  '2026-02-30',
  '9999-99-99T99:99:99Z',
  '+4400000000000000000000',
  'x'.repeat(10_000),
];

/** Values of every JSON type, plus extremes, to put where a field expects another type. */
export const WRONG_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'not-a-value',
  [],
  [1, 2, 3],
  {},
  { nested: { deeper: [null] } },
  'x'.repeat(100_000),
];

function resolve(schema: JsonSchema | undefined, components: Record<string, JsonSchema>, depth = 0): JsonSchema | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) return resolve(components[schema.$ref.split('/').pop() ?? ''], components, depth + 1);
  const alternative = schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0];
  if (!schema.type && !schema.properties && alternative) return resolve(alternative, components, depth + 1);
  return schema;
}

/** A plausible value for a schema (the base the mutations start from). */
export function sampleFor(schema: JsonSchema | undefined, components: Record<string, JsonSchema>, depth = 0): unknown {
  const s = resolve(schema, components);
  if (!s || depth > 6) return null;
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(s.properties ?? {})) out[key] = sampleFor(prop, components, depth + 1);
      return out;
    }
    case 'array':
      return [sampleFor(s.items, components, depth + 1)];
    case 'integer':
      return Math.max(1, s.minimum ?? 1);
    case 'number':
      return 100.5;
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (s.format === 'date') return '2026-11-01';
      if (s.format === 'date-time') return '2026-11-01T10:00:00Z';
      if (s.format === 'email') return 'fuzz@example.com';
      return 'fuzz';
    default:
      return 'fuzz';
  }
}

function deepNesting(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

/** Deterministic pseudo-random numbers so a failing case can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/**
 * About `count` hostile bodies for one route: the fixed structural attacks first, then seeded
 * field-level mutations of a plausible body (wrong types, hostile strings, extra and polluting keys).
 */
export function hostileBodies(
  schema: JsonSchema | undefined,
  components: Record<string, JsonSchema>,
  count: number,
  seed = 1,
): HostileCase[] {
  const base = sampleFor(schema, components);
  const fields = base && typeof base === 'object' && !Array.isArray(base) ? Object.keys(base) : [];
  const cases: HostileCase[] = [
    raw('empty body', ''),
    raw('whitespace', '   \n'),
    raw('truncated JSON', '{"amount": 1'),
    raw('trailing garbage', '{"a":1}}}'),
    raw('single quotes', "{'a': 1}"),
    raw('NaN literal', '{"amount": NaN}'),
    raw('bare string', '"hello"'),
    raw('bare number', '42'),
    raw('null', 'null'),
    raw('array top level', '[1,2,3]'),
    raw('invalid UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')])),
    raw('overlong UTF-8 NUL', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0x80]), Buffer.from('"}')])),
    raw('UTF-16 BOM body', Buffer.from('\ufeff{"a":1}', 'utf16le')),
    raw('lone surrogate escape', '{"name":"\\ud800"}'),
    raw('deep object nesting', deepNesting(5_000, 'object')),
    raw('deep array nesting', deepNesting(50_000, 'array')),
    raw('2 MB string', JSON.stringify({ name: 'x'.repeat(2_000_000) })),
    raw('10k keys', JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])))),
    raw('duplicate keys', '{"amount": 1, "amount": "x"}'),
    raw('__proto__ pollution', '{"__proto__": {"isAdmin": true, "role": "admin"}}'),
    raw('constructor.prototype pollution', '{"constructor": {"prototype": {"isAdmin": true}}}'),
    raw('JSON as text/plain', '{"a":1}', 'text/plain'),
    raw('form body', 'a=1&b[c]=2&__proto__[x]=1', 'application/x-www-form-urlencoded'),
    raw('xml body', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'application/xml'),
    raw('multipart without boundary', '--x\r\n\r\n', 'multipart/form-data'),
    raw('charset mismatch', '{"a":"é"}', 'application/json; charset=latin1'),
    json('base with polluting keys', {
      ...(base as object),
      __proto__: { polluted: true },
      constructor: { prototype: { polluted: true } },
    }),
    json('base with unknown field', { ...(base as object), unexpected_field: 'x' }),
  ];
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  while (cases.length < count) {
    const mutated: Record<string, unknown> =
      base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
    const field = fields.length ? pick(fields) : 'field';
    const roll = random();
    let label: string;
    if (roll < 0.4) {
      mutated[field] = pick(WRONG_VALUES);
      label = `wrong type in ${field}`;
    } else if (roll < 0.75) {
      mutated[field] = pick(HOSTILE_STRINGS);
      label = `hostile string in ${field}`;
    } else if (roll < 0.85) {
      delete mutated[field];
      label = `missing ${field}`;
    } else if (roll < 0.95) {
      for (const f of fields) mutated[f] = random() < 0.5 ? pick(HOSTILE_STRINGS) : pick(WRONG_VALUES);
      label = 'every field hostile';
    } else {
      mutated[field] = JSON.parse(deepNesting(200 + Math.floor(random() * 800), 'object'));
      label = `nested object in ${field}`;
    }
    cases.push(json(label, mutated));
  }
  return cases.slice(0, Math.max(count, cases.length));
}

/** Hostile values for a path parameter (ids): traversal, injection, overlong, encoded NULs. */
export const HOSTILE_PATH_VALUES: readonly string[] = [
  "'%20OR%201=1--",
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%ff%fe',
  'x'.repeat(5_000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '-1',
  '%3Cscript%3E',
  '__proto__',
];
