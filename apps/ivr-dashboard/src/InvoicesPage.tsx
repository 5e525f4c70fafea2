import { fetchInvoices, type Session } from './gateway';
import { money } from './format';
import { href } from './route';
import { usePaged } from './usePaged';

/** The tenant's invoices, newest first; a row opens the invoice's journey. */
export function InvoicesPage({ session, onUnauthorized }: { session: Session; onUnauthorized: () => void }) {
  const { items, loading, error, hasMore, more } = usePaged((cursor) => fetchInvoices(session, cursor), onUnauthorized, [session]);
  return (
    <>
      <header className="top">
        <h1>Invoices</h1>
      </header>
      {error && <p className="error">{error}</p>}
      {!loading && !error && items.length === 0 && <p className="empty">No invoices yet.</p>}
      {items.length > 0 && (
        <table className="calls" data-testid="invoices-table">
          <thead>
            <tr>
              <th>Reference</th>
              <th>Status</th>
              <th>Amount</th>
              <th>Balance</th>
              <th>Due</th>
              <th>Days overdue</th>
              <th>Stage</th>
            </tr>
          </thead>
          <tbody>
            {items.map((inv) => (
              <tr key={inv.id} className="call-row" data-testid="invoice-row">
                <td>
                  <a href={href({ page: 'journey', invoiceId: inv.id })}>{inv.invoice_reference}</a>
                </td>
                <td>{inv.status.replace('_', ' ')}</td>
                <td>{money(inv.amount, inv.currency)}</td>
                <td>{money(inv.balance, inv.currency)}</td>
                <td>{inv.due_date}</td>
                <td>{inv.days_overdue}</td>
                <td>{inv.collection_stage}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && (
        <button type="button" className="more" disabled={loading} onClick={more}>
          More invoices
        </button>
      )}
    </>
  );
}
