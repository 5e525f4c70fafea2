type Schema = Record<string, unknown>;

/**
 * Realistic example values for an OpenAPI schema, for the operations whose route gives none: a UK
 * small business chasing an overdue invoice (pence and GBP, Ofcom's drama-range numbers, example.com
 * addresses). Values honour the schema (enums, formats, patterns, bounds); Spectral's
 * oas3-valid-media-example checks each one against its schema, so a wrong guess fails the lint.
 */
const BY_NAME: Array<[RegExp, unknown]> = [
  [/(^|_)(phone|to_number|from_number|recipient_phone|caller)$/, '+447700900123'],
  [/email$/, 'accounts@example.co.uk'],
  [/^currency$/, 'GBP'],
  [/^(invoice_reference|reference|invoice_number)$/, 'INV-2026-0042'],
  [/^(recipient_name|debtor_name|client_name|contact_name|name)$/, 'Jane Doe'],
  [/^(business_name|company_name|creditor_name|tenant_name)$/, 'Acme Plumbing Ltd'],
  [/postcode$/, 'SW1A 1AA'],
  [/(^|_)(call_sid|sid)$/, 'CA0123456789abcdef0123456789abcdef'],
  [/message_sid$/, 'SM0123456789abcdef0123456789abcdef'],
  [/(amount|balance|total|paid|outstanding)_pence$|_pence$|^amount_minor$/, 125_000],
  [/^amount$/, 1250],
  [/days_past_due$/, 45],
  [/^country$/, 'GB'],
  [/^(locale|language)$/, 'en-GB'],
  [/^(timezone|time_zone)$/, 'Europe/London'],
  [/^url$|_url$/, 'https://example.co.uk/pay/abc123'],
  [/(^|_)at$|^(since|until|next_allowed_at|scheduled_for|generated_at)$/, '2026-11-30T09:00:00.000Z'],
  [/(^|_)date$/, '2026-10-31'],
  [/^tier$/, 'starter'],
  [/^(key|api_key)$/, 'rcp_test_4f9c2a7be1d84c0a9e6b3f5d7c1a2b8e'],
  [/^prefix$/, 'rcp_test_4f9c'],
  [/^(description|reason|detail|message|summary)$/, 'Invoice INV-2026-0042 for boiler servicing'],
  [/^(job_id)$/, 'email:3f0d9a52-6c1e-4b7a-9c2d-8e5f4a1b2c3d'],
  [/^(queue)$/, 'notifications'],
  [/^(service)$/, 'collections-api'],
  [/^(version)$/, '0.1.0'],
  [/^(transcript)$/, '[AI]: Hello, this is Acme Plumbing Ltd calling about invoice INV-2026-0042.\n[USER]: I can pay on Friday.'],
];

const FORMATS: Record<string, unknown> = {
  uuid: '3f0d9a52-6c1e-4b7a-9c2d-8e5f4a1b2c3d',
  email: 'accounts@example.co.uk',
  'date-time': '2026-11-30T09:00:00.000Z',
  date: '2026-10-31',
  time: '09:00:00',
  uri: 'https://example.co.uk/',
  url: 'https://example.co.uk/',
  ipv4: '203.0.113.7',
  e164: '+447700900123',
};

const STRING_CANDIDATES = [
  '+447700900123',
  'INV-2026-0042',
  'GBP',
  'SW1A 1AA',
  '2026-10-31',
  '2026-11-30T09:00:00.000Z',
  '3f0d9a52-6c1e-4b7a-9c2d-8e5f4a1b2c3d',
  'rcp_test_0123456789abcdef0123456789abcdef',
  'example',
  'A',
  '1',
];

function resolve(schema: Schema, components: Record<string, Schema>, seen: Set<string>): Schema | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  if (seen.has(name)) return undefined; // recursive: stop here
  seen.add(name);
  return components[name];
}

function matches(value: string, schema: Schema): boolean {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  if (typeof schema.pattern === 'string') {
    try {
      if (!new RegExp(schema.pattern, 'u').test(value)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function exampleString(schema: Schema, name: string): string | undefined {
  const byFormat = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (typeof byFormat === 'string') return byFormat;
  const byName = BY_NAME.find(([re]) => re.test(name))?.[1];
  if (typeof byName === 'string' && matches(byName, schema)) return byName;
  const plain = name ? name.replace(/_/g, ' ') : 'example';
  for (const candidate of [plain, ...STRING_CANDIDATES]) if (matches(candidate, schema)) return candidate;
  if (typeof schema.minLength === 'number' && !schema.pattern) return 'x'.repeat(schema.minLength);
  return undefined;
}

function exampleNumber(schema: Schema, name: string, integer: boolean): number {
  const min =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + 1
        : undefined;
  const max =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - 1
        : undefined;
  const byName = BY_NAME.find(([re]) => re.test(name))?.[1];
  let value = typeof byName === 'number' ? byName : /(rate|probability|score|confidence)$/.test(name) ? 0.62 : integer ? 3 : 12.5;
  if (min !== undefined && value < min) value = min;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.round(value) : value;
}

/** An example value for `schema`, or undefined when none could be made that honours it. */
export function exampleFor(
  schema: Schema | undefined,
  components: Record<string, Schema>,
  name = '',
  seen = new Set<string>(),
  depth = 0,
): unknown {
  if (!schema || depth > 12) return undefined;
  const resolved = resolve(schema, components, new Set(seen));
  if (!resolved) return undefined;
  const nextSeen = typeof schema.$ref === 'string' ? new Set([...seen, schema.$ref]) : seen;
  if ('example' in resolved) return resolved.example;
  if (Array.isArray(resolved.examples) && resolved.examples.length > 0) return resolved.examples[0];
  if ('const' in resolved) return resolved.const;
  if ('default' in resolved && resolved.default !== undefined) return resolved.default;
  if (Array.isArray(resolved.enum)) return resolved.enum[0];
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = resolved[key];
    if (!Array.isArray(list)) continue;
    if (key === 'allOf') {
      const parts = list.map((s) => exampleFor(s as Schema, components, name, nextSeen, depth + 1));
      if (parts.every((p) => p && typeof p === 'object' && !Array.isArray(p))) return Object.assign({}, ...parts);
      return parts[0];
    }
    const options = [...list].sort((a, b) => ((a as Schema).type === 'null' ? 1 : 0) - ((b as Schema).type === 'null' ? 1 : 0));
    for (const option of options) {
      const value = exampleFor(option as Schema, components, name, nextSeen, depth + 1);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  const types = Array.isArray(resolved.type) ? (resolved.type as string[]) : [resolved.type as string | undefined];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (resolved.properties ?? {}) as Record<string, Schema>;
      const required = new Set((resolved.required as string[] | undefined) ?? []);
      for (const [key, prop] of Object.entries(props)) {
        const value = exampleFor(prop, components, key, nextSeen, depth + 1);
        if (value === undefined) {
          if (required.has(key)) return undefined;
          continue;
        }
        out[key] = value;
      }
      const additional = resolved.additionalProperties;
      if (Object.keys(props).length === 0 && additional && typeof additional === 'object') {
        const value = exampleFor(additional as Schema, components, name, nextSeen, depth + 1);
        if (value !== undefined) out[name === 'checks' ? 'postgres' : 'key'] = value;
      }
      return out;
    }
    case 'array': {
      const item = exampleFor(resolved.items as Schema | undefined, components, name.replace(/s$/, ''), nextSeen, depth + 1);
      const min = typeof resolved.minItems === 'number' ? resolved.minItems : 0;
      if (item === undefined) return min === 0 ? [] : undefined;
      return Array.from({ length: Math.max(1, min) }, () => item);
    }
    case 'string':
      return exampleString(resolved, name);
    case 'integer':
      return exampleNumber(resolved, name, true);
    case 'number':
      return exampleNumber(resolved, name, false);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return resolved.properties ? exampleFor({ ...resolved, type: 'object' }, components, name, nextSeen, depth + 1) : undefined;
  }
}
