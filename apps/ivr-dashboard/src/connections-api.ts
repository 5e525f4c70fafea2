import { ConnectResponse, ConnectionList, AccountingConnection, SyncNowResponse, type AccountingProviderName } from '@recoup/contracts';
import type { z } from 'zod';
import { ApiError } from './api';
import type { Session } from './gateway';

// The gateway's accounting connections (apps/collections-api/src/connections) through the console's /gw proxy.

async function call<S extends z.ZodType>(
  s: Session,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.infer<S>> {
  const res = await fetch(`/gw${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s.key}`,
      ...(s.tenantId ? { 'x-tenant-id': s.tenantId } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? `HTTP ${res.status}`);
  }
  return schema.parse(await res.json());
}

export type Connection = z.infer<typeof AccountingConnection>;

export const fetchConnections = (s: Session) => call(s, 'GET', '/api/connections', ConnectionList);
export const startConnection = (s: Session, provider: AccountingProviderName) =>
  call(s, 'POST', '/api/connections', ConnectResponse, { provider });
export const syncConnection = (s: Session, id: string) =>
  call(s, 'POST', `/api/connections/${encodeURIComponent(id)}/sync`, SyncNowResponse);
export const disconnectConnection = (s: Session, id: string) =>
  call(s, 'DELETE', `/api/connections/${encodeURIComponent(id)}`, AccountingConnection);
