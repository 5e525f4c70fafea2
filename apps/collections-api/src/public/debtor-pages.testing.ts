import type { Express } from 'express';
import request from 'supertest';

/** COLLECTIONS_API_PUBLIC_URL's default: the origin the debtor pages are served from in tests. */
export const PAGE_ORIGIN = 'http://127.0.0.1:8000';

/** The CSRF token of a debtor page's form. */
export function csrfOf(html: string): string {
  const m = /name="csrf" value="([A-Za-z0-9_-]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF field on the page');
  return m[1];
}

/**
 * Submits a debtor page's form as a browser would: opens the page for its CSRF token and posts the fields from our
 * own origin. `fields` may be a urlencoded string (repeated names) or an object.
 */
export async function submitDebtorForm(app: Express, path: string, fields: string | Record<string, string> = {}) {
  const form = await request(app).get(path);
  if (form.status !== 200) throw new Error(`${form.status} for the form page`);
  const csrf = `csrf=${encodeURIComponent(csrfOf(form.text))}`;
  const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
  return request(app)
    .post(path)
    .set('Origin', PAGE_ORIGIN)
    .type('form')
    .send(body ? `${csrf}&${body}` : csrf);
}
