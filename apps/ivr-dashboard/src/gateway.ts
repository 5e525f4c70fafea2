import {
  InvoiceListResponse,
  InvoiceResponse,
  OutboxResponse,
  TenantListResponse,
  TimelineResponse,
  type OutboxKind,
} from '@recoup/contracts';
import type { z } from 'zod';
import { createCollectionsApiClient } from '@recoup/client';
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

/** The typed gateway client (libs/client, generated from the gateway's OpenAPI document) as this session. */
const gateway = (s: Session) =>
  createCollectionsApiClient({ baseUrl: '/gw', token: s.key, ...(s.tenantId ? { tenantId: s.tenantId } : {}) });

/** The answer checked against the contract (the console trusts nothing it renders), or an ApiError with the problem's detail. */
function read<S extends z.ZodType>(answer: { data?: unknown; error?: unknown; response: Response }, schema: S): z.infer<S> {
  if (!answer.response.ok) {
    const problem = (answer.error ?? {}) as { detail?: string };
    throw new ApiError(answer.response.status, problem.detail ?? `HTTP ${answer.response.status}`);
  }
  return schema.parse(answer.data);
}

export type Tenant = z.infer<typeof TenantListResponse>['data'][number];

/** The operator's tenant list (the admin key only: a tenant key is answered 403), filtered by a name or its start. */
export async function fetchTenants(key: string, name = '') {
  const query = { limit: 100, ...(name.trim() ? { name: name.trim() } : {}) };
  return read(await gateway({ key, tenantId: null }).GET('/api/admin/tenants', { params: { query } }), TenantListResponse);
}

export type Invoice = z.infer<typeof InvoiceResponse>;
export type TimelineEvent = z.infer<typeof TimelineResponse>['events'][number];

export async function fetchOutbox(key: Session, f: { invoiceId: string | null; kind: OutboxKind | ''; cursor?: string | null }) {
  const query = {
    limit: 20,
    ...(f.invoiceId ? { invoice_id: f.invoiceId } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.cursor ? { cursor: f.cursor } : {}),
  };
  return read(await gateway(key).GET('/api/outbox', { params: { query } }), OutboxResponse);
}

export async function fetchInvoices(key: Session, cursor?: string | null) {
  const query = { limit: 50, ...(cursor ? { cursor } : {}) };
  return read(await gateway(key).GET('/api/invoices', { params: { query } }), InvoiceListResponse);
}

export async function fetchInvoice(key: Session, id: string) {
  return read(await gateway(key).GET('/api/invoices/{invoice_id}', { params: { path: { invoice_id: id } } }), InvoiceResponse);
}

export async function fetchTimeline(key: Session, id: string) {
  return read(await gateway(key).GET('/api/invoices/{invoice_id}/timeline', { params: { path: { invoice_id: id } } }), TimelineResponse);
}

/** A letter's PDF as an object URL for an <iframe> (the iframe cannot send the bearer key itself). The caller revokes it. */
export async function letterPdfUrl(key: Session, documentUrl: string): Promise<string> {
  const res = await fetch(`/gw${documentUrl}`, { headers: headers(key) });
  if (!res.ok) throw new ApiError(res.status, `the letter's PDF answered ${res.status}`);
  return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
}
