import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from './api';
import { CallsPage } from './CallsPage';
import { ConnectionsPage } from './ConnectionsPage';
import { fetchTenants, type Session } from './gateway';
import { InvoicesPage } from './InvoicesPage';
import { JourneyPage } from './JourneyPage';
import { KeyPrompt } from './KeyPrompt';
import { OutboxPage } from './OutboxPage';
import { href, parseRoute, type Route } from './route';
import { TenantPicker, type PickedTenant } from './TenantPicker';

const KEY_STORAGE = 'recoup.ivr.apiKey';
const TENANT_STORAGE = 'recoup.console.tenant';

function storedTenant(): PickedTenant | null {
  try {
    const t = JSON.parse(sessionStorage.getItem(TENANT_STORAGE) ?? 'null') as PickedTenant | null;
    return t && typeof t.id === 'string' && typeof t.name === 'string' ? t : null;
  } catch {
    return null;
  }
}

const TABS: Array<{ route: Route; label: string; pages: Route['page'][] }> = [
  { route: { page: 'calls' }, label: 'IVR calls', pages: ['calls'] },
  { route: { page: 'outbox', invoiceId: null }, label: 'Outbox', pages: ['outbox'] },
  { route: { page: 'invoices' }, label: 'Invoices', pages: ['invoices', 'journey'] },
  { route: { page: 'connections' }, label: 'Connections', pages: ['connections'] },
];

/**
 * The self-hoster's console: a key, then IVR calls, the outbox and invoice journeys. A tenant key reads its tenant;
 * the admin key picks a tenant (or all tenants, for IVR calls only).
 */
export function App() {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORAGE));
  const [error, setError] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  // Whether the key is the operator's: the gateway's tenant list answers it and refuses a tenant key (403).
  const [isAdmin, setIsAdmin] = useState<boolean | null>(null);
  const [tenant, setTenant] = useState<PickedTenant | null>(storedTenant);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback((message: string | null) => {
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(TENANT_STORAGE);
    setError(message);
    setKey(null);
    setIsAdmin(null);
    setTenant(null);
  }, []);
  const onUnauthorized = useCallback(() => signOut('That key was not accepted. Enter a tenant API key or the admin key.'), [signOut]);

  useEffect(() => {
    if (!key) return;
    let current = true;
    fetchTenants(key).then(
      () => current && setIsAdmin(true),
      (err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 401) onUnauthorized();
        else setIsAdmin(false);
      },
    );
    return () => {
      current = false;
    };
  }, [key, onUnauthorized]);

  const pickTenant = useCallback((t: PickedTenant | null) => {
    if (t) sessionStorage.setItem(TENANT_STORAGE, JSON.stringify(t));
    else sessionStorage.removeItem(TENANT_STORAGE);
    setTenant(t);
  }, []);
  const tenantId = isAdmin ? (tenant?.id ?? null) : null;
  const session = useMemo<Session | null>(() => (key ? { key, tenantId } : null), [key, tenantId]);

  if (!key || !session) {
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
        {isAdmin && <TenantPicker apiKey={key} picked={tenant} onPick={pickTenant} />}
        <button type="button" className="link" onClick={() => signOut(null)}>
          Change key
        </button>
      </nav>
      {route.page === 'calls' && <CallsPage apiKey={key} tenantId={tenantId} onUnauthorized={onUnauthorized} />}
      {route.page !== 'calls' && isAdmin === null && <p className="empty">Loading…</p>}
      {route.page !== 'calls' && isAdmin && !tenantId && (
        <p className="empty" data-testid="pick-tenant">
          Pick a tenant above to read its outbox and invoices (the admin key reads them for one tenant at a time, read-only).
        </p>
      )}
      {route.page !== 'calls' && isAdmin !== null && (!isAdmin || tenantId) && (
        <>
          {route.page === 'outbox' && <OutboxPage session={session} invoiceId={route.invoiceId} onUnauthorized={onUnauthorized} />}
          {route.page === 'invoices' && <InvoicesPage session={session} onUnauthorized={onUnauthorized} />}
          {route.page === 'journey' && <JourneyPage session={session} invoiceId={route.invoiceId} onUnauthorized={onUnauthorized} />}
          {route.page === 'connections' && <ConnectionsPage session={session} onUnauthorized={onUnauthorized} />}
        </>
      )}
    </main>
  );
}
