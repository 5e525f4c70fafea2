import type { AccountingConnection as ConnectionJson, SyncSummary } from '@recoup/contracts';
import type { AccountingConnectionModel } from '@recoup/db';

/** The public shape of a connection: status, organisation, last sync and error; never its tokens or state. */
export function connectionJson(c: AccountingConnectionModel): ConnectionJson {
  return {
    id: c.id,
    provider: c.provider as ConnectionJson['provider'],
    status: c.status as ConnectionJson['status'],
    organisation: c.externalTenantId ? { id: c.externalTenantId, name: c.externalTenantName } : null,
    last_sync_at: c.lastSyncAt?.toISOString() ?? null,
    last_sync: (c.lastSyncSummary as SyncSummary | null) ?? null,
    last_error: c.lastError,
    last_error_at: c.lastErrorAt?.toISOString() ?? null,
    created_at: c.createdAt.toISOString(),
  };
}

export const emptySummary = (): SyncSummary => ({
  contacts: 0,
  invoices_created: 0,
  invoices_updated: 0,
  invoices_cancelled: 0,
  payments_applied: 0,
  conflicts: 0,
  written_back: 0,
  skipped: 0,
});
