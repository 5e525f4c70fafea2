import { useCallback, useEffect, useState } from 'react';
import { CallsPage } from './CallsPage';
import { InvoicesPage } from './InvoicesPage';
import { JourneyPage } from './JourneyPage';
import { KeyPrompt } from './KeyPrompt';
import { OutboxPage } from './OutboxPage';
import { href, parseRoute, type Route } from './route';

const KEY_STORAGE = 'recoup.ivr.apiKey';

const TABS: Array<{ route: Route; label: string; pages: Route['page'][] }> = [
  { route: { page: 'calls' }, label: 'IVR calls', pages: ['calls'] },
  { route: { page: 'outbox', invoiceId: null }, label: 'Outbox', pages: ['outbox'] },
  { route: { page: 'invoices' }, label: 'Invoices', pages: ['invoices', 'journey'] },
];

/** The self-hoster's console: a key (tenant, or the admin key for IVR calls), then IVR calls, the outbox and invoice journeys. */
export function App() {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORAGE));
  const [error, setError] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback((message: string | null) => {
    sessionStorage.removeItem(KEY_STORAGE);
    setError(message);
    setKey(null);
  }, []);
  const onUnauthorized = useCallback(() => signOut('That key was not accepted. Enter a tenant API key or the admin key.'), [signOut]);

  if (!key) {
    return (
      <KeyPrompt
        error={error}
        onSubmit={(k) => {
          sessionStorage.setItem(KEY_STORAGE, k);
          setError(null);
          setKey(k);
        }}
      />
    );
  }

  return (
    <main className="page">
      <nav className="tabs" aria-label="Console">
        <span className="brand">Recoup</span>
        {TABS.map((t) => (
          <a
            key={t.label}
            href={href(t.route)}
            data-testid={`tab-${t.route.page}`}
            className={t.pages.includes(route.page) ? 'tab active' : 'tab'}
            aria-current={t.pages.includes(route.page) ? 'page' : undefined}
          >
            {t.label}
          </a>
        ))}
        <button type="button" className="link" onClick={() => signOut(null)}>
          Change key
        </button>
      </nav>
      {route.page === 'calls' && <CallsPage apiKey={key} onUnauthorized={onUnauthorized} />}
      {route.page === 'outbox' && <OutboxPage apiKey={key} invoiceId={route.invoiceId} onUnauthorized={onUnauthorized} />}
      {route.page === 'invoices' && <InvoicesPage apiKey={key} onUnauthorized={onUnauthorized} />}
      {route.page === 'journey' && <JourneyPage apiKey={key} invoiceId={route.invoiceId} onUnauthorized={onUnauthorized} />}
    </main>
  );
}
