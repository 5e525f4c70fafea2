import {
  InvoiceListResponse,
  InvoiceResponse,
  OutboxResponse,
  TenantListResponse,
  TimelineResponse,
  type OutboxKind,
} from '@recoup/contracts';
import type { z } from 'zod';
import { ApiError } from './api';

// The gateway (collections-api) through the console's /gw proxy. A tenant key reads its own tenant; the
// admin key reads the tenant picked in the console, named by X-Tenant-Id (the gateway allows it for GET only).

/** Who the gateway pages read as: the key, and with the admin key the picked tenant. */
export interface Session {
  key: string;
  tenantId: string | null;
}

function headers(s: Session): Record<string, string> {
  return { authorization: `Bearer ${s.key}`, ...(s.tenantId ? { 'x-tenant-id': s.tenantId } : {}) };
}

async function get<S extends z.ZodType>(s: Session, path: string, schema: S): Promise<z.infer<S>> {
  const res = await fetch(`/gw${path}`, { headers: headers(s) });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? `HTTP ${res.status}`);
  }
  return schema.parse(await res.json());
}

export type Tenant = z.infer<typeof TenantListResponse>['data'][number];

/** The operator's tenant list (the admin key only: a tenant key is answered 403), filtered by a name or its start. */
export function fetchTenants(key: string, name = '') {
  const q = new URLSearchParams({ limit: '100' });
  if (name.trim()) q.set('name', name.trim());
  return get({ key, tenantId: null }, `/api/admin/tenants?${q.toString()}`, TenantListResponse);
}

export type Invoice = z.infer<typeof InvoiceResponse>;
export type TimelineEvent = z.infer<typeof TimelineResponse>['events'][number];

export function fetchOutbox(key: Session, f: { invoiceId: string | null; kind: OutboxKind | ''; cursor?: string | null }) {
  const q = new URLSearchParams({ limit: '20' });
  if (f.invoiceId) q.set('invoice_id', f.invoiceId);
  if (f.kind) q.set('kind', f.kind);
  if (f.cursor) q.set('cursor', f.cursor);
  return get(key, `/api/outbox?${q.toString()}`, OutboxResponse);
}

export function fetchInvoices(key: Session, cursor?: string | null) {
  const q = new URLSearchParams({ limit: '50' });
  if (cursor) q.set('cursor', cursor);
  return get(key, `/api/invoices?${q.toString()}`, InvoiceListResponse);
}

export function fetchInvoice(key: Session, id: string) {
  return get(key, `/api/invoices/${encodeURIComponent(id)}`, InvoiceResponse);
}

export function fetchTimeline(key: Session, id: string) {
  return get(key, `/api/invoices/${encodeURIComponent(id)}/timeline`, TimelineResponse);
}

/** A letter's PDF as an object URL for an <iframe> (the iframe cannot send the bearer key itself). The caller revokes it. */
export async function letterPdfUrl(key: Session, documentUrl: string): Promise<string> {
  const res = await fetch(`/gw${documentUrl}`, { headers: headers(key) });
  if (!res.ok) throw new ApiError(res.status, `the letter's PDF answered ${res.status}`);
  return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
}
