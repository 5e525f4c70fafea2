import { InvoiceListResponse, InvoiceResponse, OutboxResponse, TimelineResponse, type OutboxKind } from '@recoup/contracts';
import type { z } from 'zod';
import { ApiError } from './api';

// The gateway (collections-api) through the console's /gw proxy. Its tenant routes take only a
// tenant key: the admin key is refused there (403), so these pages say so instead of failing.

async function get<S extends z.ZodType>(key: string, path: string, schema: S): Promise<z.infer<S>> {
  const res = await fetch(`/gw${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    if (res.status === 403)
      throw new ApiError(403, 'The outbox and invoices need a tenant API key (rcp_live_…); the admin key only reads IVR calls.');
    throw new ApiError(res.status, problem.detail ?? `HTTP ${res.status}`);
  }
  return schema.parse(await res.json());
}

export type Invoice = z.infer<typeof InvoiceResponse>;
export type TimelineEvent = z.infer<typeof TimelineResponse>['events'][number];

export function fetchOutbox(key: string, f: { invoiceId: string | null; kind: OutboxKind | ''; cursor?: string | null }) {
  const q = new URLSearchParams({ limit: '20' });
  if (f.invoiceId) q.set('invoice_id', f.invoiceId);
  if (f.kind) q.set('kind', f.kind);
  if (f.cursor) q.set('cursor', f.cursor);
  return get(key, `/api/outbox?${q.toString()}`, OutboxResponse);
}

export function fetchInvoices(key: string, cursor?: string | null) {
  const q = new URLSearchParams({ limit: '50' });
  if (cursor) q.set('cursor', cursor);
  return get(key, `/api/invoices?${q.toString()}`, InvoiceListResponse);
}

export function fetchInvoice(key: string, id: string) {
  return get(key, `/api/invoices/${encodeURIComponent(id)}`, InvoiceResponse);
}

export function fetchTimeline(key: string, id: string) {
  return get(key, `/api/invoices/${encodeURIComponent(id)}/timeline`, TimelineResponse);
}

/** A letter's PDF as an object URL for an <iframe> (the iframe cannot send the bearer key itself). The caller revokes it. */
export async function letterPdfUrl(key: string, documentUrl: string): Promise<string> {
  const res = await fetch(`/gw${documentUrl}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new ApiError(res.status, `the letter's PDF answered ${res.status}`);
  return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
}
