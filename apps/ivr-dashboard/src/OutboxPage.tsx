import { useEffect, useState } from 'react';
import type { OutboxItem, OutboxKind } from '@recoup/contracts';
import { fetchOutbox, letterPdfUrl, type Session } from './gateway';
import { money, when } from './format';
import { href } from './route';
import { usePaged } from './usePaged';

const KIND_LABEL: Record<OutboxKind, string> = { email: 'Email', sms: 'SMS', letter: 'Letter', ai_call: 'AI call' };
const KIND_COLOUR: Record<OutboxKind, string> = { email: '#8250df', sms: '#0969da', letter: '#9a6700', ai_call: '#1a7f37' };

function LetterPreview({ session, item }: { session: Session; item: OutboxItem }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!item.document_url) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    letterPdfUrl(session, item.document_url).then(
      (u) => {
        objectUrl = u;
        if (cancelled) URL.revokeObjectURL(u);
        else setUrl(u);
      },
      (err: Error) => setError(err.message),
    );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [session, item.document_url]);
  if (error) return <p className="error">{error}</p>;
  if (!url) return <p className="empty">Loading the PDF…</p>;
  return <iframe className="letter-frame" data-testid="letter-frame" title={`Letter ${item.id}`} src={url} />;
}

function Body({ session, item }: { session: Session; item: OutboxItem }) {
  const [showPdf, setShowPdf] = useState(false);
  switch (item.kind) {
    case 'email':
      // sandbox="" : no scripts, no forms, no same-origin access; links open nowhere. The HTML is shown as rendered.
      return (
        <iframe
          className="email-frame"
          data-testid="email-frame"
          title={`Email ${item.id}`}
          sandbox=""
          srcDoc={item.html ?? item.text ?? ''}
        />
      );
    case 'sms':
      return (
        <p className="sms" data-testid="sms-text">
          {item.text}
          <span className="meta">
            {' '}
            · {item.sms_segments} segment{item.sms_segments === 1 ? '' : 's'}
          </span>
        </p>
      );
    case 'letter':
      return (
        <div>
          <p className="meta">
            {item.letter_pages} page{item.letter_pages === 1 ? '' : 's'} · to {item.to?.split('\n').join(', ')}
          </p>
          {item.document_url &&
            (showPdf ? (
              <LetterPreview session={session} item={item} />
            ) : (
              <button type="button" data-testid="letter-show" onClick={() => setShowPdf(true)}>
                Show the PDF
              </button>
            ))}
        </div>
      );
    case 'ai_call':
      return (
        <div className="transcript" data-testid="call-transcript">
          <p className="meta">
            Outcome: {item.call?.outcome ?? '—'} · Duration: {item.call?.duration_seconds ?? '—'} s
          </p>
          {item.call?.transcript_withheld ? (
            <p className="empty">Transcript withheld (a sensitive call, or removed by retention).</p>
          ) : (
            <ol>
              {(item.call?.transcript ?? []).map((t, i) => (
                <li key={i} className={t.speaker === 'user' ? 'customer' : 'agent'}>
                  <span className="who">{t.speaker === 'user' ? 'Customer' : 'Agent'}</span>
                  <span className="said">{t.text}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      );
  }
}

/** Everything the platform "sent" in sandbox mode, newest first, filterable by invoice and kind. */
export function OutboxPage({
  session,
  invoiceId,
  onUnauthorized,
}: {
  session: Session;
  invoiceId: string | null;
  onUnauthorized: () => void;
}) {
  const [kind, setKind] = useState<OutboxKind | ''>('');
  const { items, loading, error, hasMore, more } = usePaged((cursor) => fetchOutbox(session, { invoiceId, kind, cursor }), onUnauthorized, [
    session,
    invoiceId,
    kind,
  ]);
  return (
    <>
      <header className="top">
        <h1>Outbox</h1>
        <span className="hint">What the sandbox providers recorded instead of sending, and the AI calls placed.</span>
      </header>
      <section className="filters" aria-label="Filters">
        <label>
          Kind
          <select data-testid="outbox-kind" value={kind} onChange={(e) => setKind(e.target.value as OutboxKind | '')}>
            <option value="">All</option>
            {Object.entries(KIND_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {invoiceId && (
          <p className="chip" data-testid="outbox-invoice-filter">
            For one invoice · <a href={href({ page: 'journey', invoiceId })}>its journey</a> ·{' '}
            <a href={href({ page: 'outbox', invoiceId: null })}>show all</a>
          </p>
        )}
      </section>
      {error && <p className="error">{error}</p>}
      {!loading && !error && items.length === 0 && <p className="empty">Nothing sent yet.</p>}
      <ol className="outbox" data-testid="outbox-list">
        {items.map((item) => (
          <li key={item.id} className="message" data-testid="outbox-item" data-kind={item.kind}>
            <div className="message-head">
              <span className="badge" style={{ background: KIND_COLOUR[item.kind] }}>
                {KIND_LABEL[item.kind]}
              </span>
              <strong>{item.subject ?? item.client_name ?? item.to}</strong>
              <span className="meta">
                to {item.kind === 'letter' ? item.client_name : item.to} · {when(item.sent_at)} · {item.status ?? '—'} ·{' '}
                {money(item.cost_pence / 100)}
              </span>
              {item.invoice_id && (
                <a className="invoice-link" data-testid="outbox-invoice-link" href={href({ page: 'journey', invoiceId: item.invoice_id })}>
                  {item.invoice_reference ?? 'Invoice'} →
                </a>
              )}
            </div>
            <Body session={session} item={item} />
          </li>
        ))}
      </ol>
      {hasMore && (
        <button type="button" className="more" disabled={loading} onClick={more}>
          Older messages
        </button>
      )}
    </>
  );
}
