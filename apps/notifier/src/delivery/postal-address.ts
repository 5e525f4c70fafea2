import type { PostalAddress } from '@recoup/providers/letters';

const UK_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i;

/**
 * Client.address is free-form JSON: `{ lines: [...], postcode }` or the usual
 * `{ line1, line2, line3, city|town, county, postcode, country }`. Null when no postcode.
 */
export function postalAddressOf(raw: unknown): PostalAddress | null {
  if (!raw || typeof raw !== 'object') return null;
  const a = raw as Record<string, unknown>;
  const str = (k: string) => (typeof a[k] === 'string' && (a[k] as string).trim() ? (a[k] as string).trim() : undefined);
  const postcode = str('postcode') ?? str('postal_code') ?? str('postalCode');
  if (!postcode) return null;
  const lines = Array.isArray(a.lines)
    ? a.lines.filter((l): l is string => typeof l === 'string' && l.trim() !== '')
    : ['line1', 'line2', 'line3', 'line_1', 'line_2', 'line_3', 'city', 'town', 'county'].map(str).filter((l): l is string => !!l);
  if (lines.length === 0) return null;
  const country = str('country');
  const normalised = UK_POSTCODE.test(postcode) ? postcode.toUpperCase().replace(/\s*(\d[A-Z]{2})$/i, ' $1') : postcode;
  return { lines, postcode: normalised, ...(country ? { country } : {}) };
}
