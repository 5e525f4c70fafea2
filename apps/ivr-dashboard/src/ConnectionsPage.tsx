import { useCallback, useEffect, useState } from 'react';
import type { AccountingProviderName } from '@recoup/contracts';
import { ApiError } from './api';
import { disconnectConnection, fetchConnections, startConnection, syncConnection, type Connection } from './connections-api';
import { when } from './format';
import type { Session } from './gateway';

const PROVIDER_LABEL: Record<Connection['provider'], string> = {
  xero: 'Xero',
  quickbooks: 'QuickBooks Online',
  sandbox: 'Sandbox books',
  csv: 'CSV import',
};
const STATUS_COLOUR: Record<Connection['status'], string> = {
  active: '#1a7f37',
  pending: '#1f6feb',
  error: '#d4760a',
  revoked: '#cf222e',
  disconnected: '#6e7781',
};
const CONNECTABLE: AccountingProviderName[] = ['xero', 'quickbooks', 'sandbox'];
/** While a connection is pending or a sync was asked for, the list is read again this often. */
const POLL_MS = 2_000;

function summaryText(c: Connection): string {
  const s = c.last_sync;
  if (!s) return '—';
  const parts = [
    `${s.invoices_created} imported`,
    `${s.invoices_updated} updated`,
    `${s.payments_applied} payment${s.payments_applied === 1 ? '' : 's'}`,
    s.invoices_cancelled ? `${s.invoices_cancelled} voided` : '',
    s.conflicts ? `${s.conflicts} conflicts` : '',
    s.written_back ? `${s.written_back} written back` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/**
 * The tenant's accounting connections (issue 19): connect Xero, QuickBooks or the sandbox books (the provider's consent
 * screen opens in a new tab), each connection's status, last sync and what it did, the last error; sync now, disconnect.
 */
export function ConnectionsPage({ session, onUnauthorized }: { session: Session; onUnauthorized: () => void }) {
  const [items, setItems] = useState<Connection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [watching, setWatching] = useState(false);

  const load = useCallback(async () => {
    try {
      const list = await fetchConnections(session);
      setItems(list.data);
      setError(null);
      return list.data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      else setError((err as Error).message);
      return null;
    }
  }, [session, onUnauthorized]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const pending = items?.some((c) => c.status === 'pending');
    if (!watching && !pending) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [watching, items, load]);

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await what();
      setWatching(true);
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      else
        setError(
          err instanceof ApiError && err.status === 403
            ? 'This key can only read: use the tenant’s own API key to change connections.'
            : (err as Error).message,
        );
    } finally {
      setBusy(false);
    }
  };

  const connect = (provider: AccountingProviderName) =>
    act(async () => {
      const { authorize_url } = await startConnection(session, provider);
      window.open(authorize_url, '_blank', 'noopener');
    });

  return (
    <>
      <header className="top">
        <h1>Connections</h1>
        <div className="connect-buttons">
          {CONNECTABLE.map((p) => (
            <button key={p} type="button" disabled={busy} data-testid={`connect-${p}`} onClick={() => void connect(p)}>
              Connect {PROVIDER_LABEL[p]}
            </button>
          ))}
        </div>
      </header>
      <p className="hint">
        Invoices and contacts come from the books; a payment, credit note or void there updates the ledger here and stops reminders; a
        payment taken through our links is written back once. Where both sides edited an invoice, the books win for amounts and dates, and
        the conflict shows on the invoice’s journey.
      </p>
      {error && (
        <p className="error" data-testid="connections-error">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p className="empty">No accounting system connected yet.</p>}
      {items && items.length > 0 && (
        <table className="calls" data-testid="connections-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Organisation</th>
              <th>Status</th>
              <th>Last sync</th>
              <th>What it did</th>
              <th>Last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} data-testid="connection-row" data-provider={c.provider} data-status={c.status}>
                <td>{PROVIDER_LABEL[c.provider]}</td>
                <td>{c.organisation?.name ?? '—'}</td>
                <td>
                  <span className="badge" data-testid="connection-status" style={{ background: STATUS_COLOUR[c.status] }}>
                    {c.status}
                  </span>
                </td>
                <td data-testid="connection-last-sync">{c.last_sync_at ? when(c.last_sync_at) : 'never'}</td>
                <td data-testid="connection-summary">{summaryText(c)}</td>
                <td className="error" data-testid="connection-last-error">
                  {c.last_error ? `${c.last_error}${c.last_error_at ? ` (${when(c.last_error_at)})` : ''}` : ''}
                </td>
                <td className="row-actions">
                  {(c.status === 'active' || c.status === 'error') && c.provider !== 'csv' && (
                    <button
                      type="button"
                      disabled={busy}
                      data-testid="connection-sync"
                      onClick={() => void act(() => syncConnection(session, c.id))}
                    >
                      Sync now
                    </button>
                  )}
                  {c.status === 'revoked' && c.provider !== 'csv' && (
                    <button
                      type="button"
                      disabled={busy}
                      data-testid="connection-reconnect"
                      onClick={() => void connect(c.provider as AccountingProviderName)}
                    >
                      Reconnect
                    </button>
                  )}
                  {c.status !== 'disconnected' && (
                    <button
                      type="button"
                      disabled={busy}
                      data-testid="connection-disconnect"
                      onClick={() => void act(() => disconnectConnection(session, c.id))}
                    >
                      Disconnect
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
