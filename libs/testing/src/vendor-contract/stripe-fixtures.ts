import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VENDOR_SPECS_DIR } from './openapi-contract';

type Json = Record<string, unknown>;
let fixtures: Record<string, Json> | undefined;

/** Stripe's example object of every resource (stripe/openapi fixtures3.json), by its `object` name. */
export function stripeFixture(resource: string): Json | undefined {
  fixtures ??= (
    JSON.parse(readFileSync(path.join(VENDOR_SPECS_DIR, 'stripe_fixtures3.json'), 'utf8')) as { resources: Record<string, Json> }
  ).resources;
  return fixtures[resource];
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * What in `value` Stripe's example object of `resource` would not have: a field Stripe's object does not carry, or a
 * value of another JSON type than Stripe's (a null in Stripe's example allows any type: the field is nullable).
 * Nested objects and array items are held to the example's own. Stripe answers every field; a fake may leave some out.
 */
export function stripeShapeErrors(resource: string, value: unknown): string[] {
  const fixture = stripeFixture(resource);
  if (!fixture) return [`Stripe has no ${resource} object`];
  const errors = compare(resource, fixture, value);
  const object = (value as Json | null)?.object;
  if (object !== undefined && object !== (fixture.object ?? resource)) errors.push(`${resource}.object is ${String(object)}`);
  return errors;
}

function compare(at: string, example: unknown, value: unknown): string[] {
  if (example === null || value === null) return [];
  if (kind(example) !== kind(value)) {
    // Stripe expands some ids into objects on request: an id string where the example has an object is fine.
    if (kind(example) === 'object' && typeof value === 'string') return [];
    if (kind(example) === 'string' && kind(value) === 'object') return [];
    return [`${at} is ${kind(value)}, Stripe's is ${kind(example)}`];
  }
  if (Array.isArray(example) && Array.isArray(value)) {
    return example.length === 0 ? [] : value.flatMap((item, i) => compare(`${at}[${i}]`, example[0], item));
  }
  if (kind(example) !== 'object') return [];
  const e = example as Json;
  // metadata and similar maps are free-form: their keys are ours.
  if (at.endsWith('.metadata')) return [];
  return Object.entries(value as Json).flatMap(([key, v]) =>
    key in e ? compare(`${at}.${key}`, e[key], v) : [`${at}.${key} is not a field of Stripe's object`],
  );
}
