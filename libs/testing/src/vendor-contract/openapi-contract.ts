import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The vendors' own API descriptions (libs/testing/vendor-specs, copied with their provenance and licences), as a
 * checker our loopback fakes run on every request they receive and every answer they give: the operation must exist
 * (method and path), its parameters must be documented and valid (path, query, form or JSON body), and the answer's
 * status and body must be what the operation documents. A fake answers a request that breaks the vendor's
 * description with the vendor's 400, so an adapter test fails the way production would.
 */
export const VENDOR_SPECS_DIR = path.resolve(__dirname, '..', '..', 'vendor-specs');

type Json = Record<string, unknown>;
type Schema = Json;

export interface VendorRequest {
  method: string;
  /** The request path without its query string. */
  path: string;
  query?: URLSearchParams;
  /** Form fields (repeated keys as arrays) or a parsed JSON body. */
  body?: unknown;
  contentType?: string;
}

interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  spec: Json;
}

const cache = new Map<string, OpenApiContract>();

export class OpenApiContract {
  private readonly operations: Operation[] = [];
  /** JSON bodies and answers as they are; form and query values (always strings on the wire) coerced to the schema's types. */
  private readonly json: Ajv;
  private readonly form: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private seq = 0;

  private constructor(
    readonly vendor: string,
    private readonly doc: Json,
  ) {
    const openapi31 = String(doc.openapi).startsWith('3.1');
    const make = (coerce: boolean) => {
      const options = { strict: false, allErrors: true, validateSchema: false, coerceTypes: coerce ? ('array' as const) : false };
      const ajv = openapi31 ? new Ajv2020(options) : new Ajv(options);
      addFormats(ajv);
      // Twilio documents its page links (uri, first_page_uri, ...) as format uri but sends paths ("/2010-04-01/..."):
      // an absolute URL or an absolute path passes, anything else (a bare word, a relative path) does not.
      ajv.addFormat('uri', (v: string) => /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(v) || /^\/[^\s]*$/.test(v));
      // Vendor-specific formats (Twilio's phone-number, sid, currency, ...) are documentation, not checks we can make.
      for (const format of formatsIn(doc)) if (!ajv.formats[format]) ajv.addFormat(format, true);
      return ajv;
    };
    this.json = make(false);
    this.form = make(true);
    for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const spec = item[method] as Json | undefined;
        if (!spec) continue;
        const shared = (item.parameters as Json[] | undefined) ?? [];
        this.operations.push({
          id: String(spec.operationId ?? `${method} ${template}`),
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
          spec: { ...spec, parameters: [...shared, ...((spec.parameters as Json[] | undefined) ?? [])] },
        });
      }
    }
  }

  /** twilio (REST API 2010-04-01), sendgrid-mail (v3 Mail Send), sendgrid-activity (Email Activity). */
  static load(name: 'twilio' | 'sendgrid-mail' | 'sendgrid-activity'): OpenApiContract {
    const file = {
      twilio: 'twilio_api_v2010.json',
      'sendgrid-mail': 'sendgrid_mail_v3.json',
      'sendgrid-activity': 'sendgrid_email_activity_v3.json',
    }[name];
    let contract = cache.get(file);
    if (!contract) {
      const doc = JSON.parse(readFileSync(path.join(VENDOR_SPECS_DIR, file), 'utf8')) as Json;
      contract = new OpenApiContract(name, String(doc.openapi).startsWith('3.0') ? nullableToUnion(doc) : doc);
      cache.set(file, contract);
    }
    return contract;
  }

  operation(method: string, requestPath: string): Operation | undefined {
    return this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(requestPath));
  }

  /** What is wrong with this request by the vendor's description (empty: nothing). */
  checkRequest(req: VendorRequest): string[] {
    const op = this.operation(req.method, req.path);
    if (!op) return [`${req.method} ${req.path} is not an operation of ${this.vendor}'s API`];
    const problems: string[] = [];
    const params = (op.spec.parameters as Json[]).map((p) => this.deref(p));
    const query = params.filter((p) => p.in === 'query');
    if (req.query && [...req.query.keys()].length > 0) {
      problems.push(...this.checkFields(op, 'query', fieldsOf(req.query), objectOf(query)));
    } else {
      for (const p of query) if (p.required) problems.push(`${op.id}: query parameter ${String(p.name)} is required`);
    }
    const content = (this.deref((op.spec.requestBody as Json | undefined) ?? {}).content ?? {}) as Record<string, Json>;
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) return problems;
    const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const media = content[type];
    if (!media) return [...problems, `${op.id}: body sent as ${type || 'nothing'}, the operation takes ${mediaTypes.join(' or ')}`];
    const schema = this.deref((media.schema ?? {}) as Json);
    if (type === 'application/x-www-form-urlencoded') {
      problems.push(...this.checkFields(op, 'form', (req.body ?? {}) as Record<string, string | string[]>, schema));
    } else {
      problems.push(...this.unknownKeys(op, 'body', req.body, schema));
      problems.push(...this.validate(this.json, op, 'body', schema, req.body));
    }
    return problems;
  }

  /** What is wrong with this answer to that request by the vendor's description (empty: nothing). */
  checkResponse(method: string, requestPath: string, status: number, body: unknown): string[] {
    const op = this.operation(method, requestPath);
    if (!op) return [`${method} ${requestPath} is not an operation of ${this.vendor}'s API`];
    const responses = (op.spec.responses ?? {}) as Record<string, Json>;
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    // Twilio's description documents success answers only; its errors (404 for a missing recording, 400 ...) are real.
    if (!response && status >= 400) return [];
    if (!response) return [`${op.id}: answered ${status}, which the operation does not document (${Object.keys(responses).join(', ')})`];
    const schema = ((this.deref(response).content as Record<string, Json> | undefined)?.['application/json']?.schema ?? undefined) as
      Json | undefined;
    if (!schema || body === undefined || status >= 400) return [];
    return this.validate(this.json, op, `${status} answer`, this.deref(schema), body);
  }

  private checkFields(op: Operation, where: string, fields: Record<string, string | string[]>, schema: Schema): string[] {
    const properties = this.deref(schema).properties as Record<string, Json> | undefined;
    const problems = properties
      ? Object.keys(fields)
          .filter((k) => !(k in properties))
          .map((k) => `${op.id}: ${where} parameter ${k} is not documented`)
      : [];
    // Form and query values are strings on the wire: the form validator coerces a copy to the documented types.
    const copy = JSON.parse(JSON.stringify(fields)) as unknown;
    return [...problems, ...this.validate(this.form, op, where, schema, copy)];
  }

  private unknownKeys(op: Operation, where: string, body: unknown, schema: Schema): string[] {
    const properties = this.deref(schema).properties as Record<string, Json> | undefined;
    if (!properties || !body || typeof body !== 'object' || Array.isArray(body)) return [];
    return Object.keys(body)
      .filter((k) => !(k in properties))
      .map((k) => `${op.id}: ${where} field ${k} is not documented`);
  }

  private validate(ajv: Ajv, op: Operation, where: string, schema: Schema, data: unknown): string[] {
    const key = `${ajv === this.json ? 'j' : 'f'}:${op.id}:${where}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      // Compiled with the document's components beside it, so the schema's #/components/... references resolve.
      validate = ajv.compile({ $id: `${this.vendor}-${this.seq++}`, ...schema, components: this.doc.components });
      this.compiled.set(key, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${op.id}: ${where}${e.instancePath} ${e.message ?? 'is invalid'}`);
  }

  private deref(node: Json): Json {
    let current = node;
    for (let i = 0; i < 10 && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); i++) {
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce<Json>((at, key) => (at[key.replace(/~1/g, '/').replace(/~0/g, '~')] ?? {}) as Json, this.doc);
    }
    return current;
  }
}

/** Query or form fields: one value as a string, repeated keys as an array. */
export function fieldsOf(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return out;
}

/** An object schema of the operation's parameters in one place (the query). */
function objectOf(params: Json[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [String(p.name), (p.schema ?? {}) as Json])),
    required: params.filter((p) => p.required).map((p) => String(p.name)),
  };
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the type may also be null. */
function nullableToUnion(node: unknown): Json {
  if (Array.isArray(node)) return node.map(nullableToUnion) as unknown as Json;
  if (!node || typeof node !== 'object') return node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableToUnion(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [{ ...out }, { type: 'null' }] };
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

function formatsIn(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) formatsIn(n, found);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else formatsIn(v, found);
    }
  }
  return found;
}

/** Run when a fake closes: a request or answer that broke the vendor's description fails the test file that made it. */
export function assertNoViolations(vendor: string, violations: string[]): void {
  if (violations.length === 0) return;
  throw new Error(
    `${vendor} fake saw ${violations.length} request(s) or answer(s) outside ${vendor}'s API description:\n${violations.join('\n')}`,
  );
}
