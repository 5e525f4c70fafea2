import { useEffect, useState } from 'react';
import { ApiError } from './api';
import { fetchInvoice, fetchTimeline, type Invoice, type Session, type TimelineEvent } from './gateway';
import { money, when } from './format';
import { describeEvent } from './journey';
import { href } from './route';

/** One invoice's journey: every contact with its compliance decision, payments, disputes and plans, oldest first. */
export function JourneyPage({ session, invoiceId, onUnauthorized }: { session: Session; invoiceId: string; onUnauthorized: () => void }) {
  const [invoice, setInvoice] = useState<Invoice | null>(null);
  const [events, setEvents] = useState<TimelineEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([fetchInvoice(session, invoiceId), fetchTimeline(session, invoiceId)]).then(
      ([inv, timeline]) => {
        if (cancelled) return;
        setInvoice(inv);
        setEvents(timeline.events);
        setError(null);
      },
      (err: Error) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) onUnauthorized();
        else setError(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, invoiceId, onUnauthorized]);

  return (
    <>
      <header className="top">
        <h1>{invoice ? `Invoice ${invoice.invoice_reference}` : 'Invoice'}</h1>
        <a href={href({ page: 'outbox', invoiceId })} data-testid="journey-outbox-link">
          Messages for this invoice →
        </a>
      </header>
      {error && <p className="error">{error}</p>}
      {invoice && (
        <section className="stats" aria-label="Invoice">
          {(
            [
              ['Status', invoice.status.replace('_', ' ')],
              ['Amount', money(invoice.amount, invoice.currency)],
              ['Paid', money(invoice.amount_paid, invoice.currency)],
              ['Balance', money(invoice.balance, invoice.currency)],
              ['Due', invoice.due_date],
              ['Stage', String(invoice.collection_stage)],
            ] as Array<[string, string]>
          ).map(([label, value]) => (
            <div key={label} className="stat">
              <div className="stat-value" data-testid={`invoice-${label.toLowerCase()}`}>
                {value}
              </div>
              <div className="stat-label">{label}</div>
            </div>
          ))}
        </section>
      )}
      {events && (
        <ol className="timeline" data-testid="timeline">
          {events.map((e, i) => {
            const d = describeEvent(e);
            return (
              <li key={i} className={`event ${d.tone}`} data-testid="timeline-event" data-type={e.type}>
                <span className="dot" aria-hidden="true" />
                <div>
                  <div className="event-title">{d.title}</div>
                  <div className="meta">{when(e.at)}</div>
                  {d.facts.length > 0 && <div className="facts">{d.facts.join(' · ')}</div>}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}
