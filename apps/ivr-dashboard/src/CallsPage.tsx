import { useCallback, useEffect, useRef, useState } from 'react';
import type { IvrCallEvent, IvrCallStats, IvrCallView } from '@recoup/contracts';
import { ApiError, fetchCalls, streamCalls, type Filters } from './api';
import { CallTable } from './CallTable';
import { StatsBar } from './StatsBar';
import { STATUS_LABEL, upsertCall } from './format';

const PAGE_SIZE = 25;
const EMPTY_STATS: IvrCallStats = {
  total: 0,
  willing_to_pay: 0,
  needs_negotiation: 0,
  pending_clarification: 0,
  no_response: 0,
  amount_agreed: 0,
};

function matches(call: IvrCallView, f: Filters): boolean {
  if (f.status && call.status !== f.status) return false;
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(call.created_at));
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  return true;
}

/** IVR calls: stats, the table with intent badges and transcripts, live over SSE. A tenant key, or the admin key (all tenants, or the picked one). */
export function CallsPage({
  apiKey: key,
  tenantId,
  onUnauthorized,
}: {
  apiKey: string;
  tenantId: string | null;
  onUnauthorized: () => void;
}) {
  const [filters, setFilters] = useState<Filters>({ status: '', from: '', to: '' });
  const [calls, setCalls] = useState<IvrCallView[]>([]);
  const [stats, setStats] = useState<IvrCallStats>(EMPTY_STATS);
  const [page, setPage] = useState(1);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const result = await fetchCalls(key, filters, page, PAGE_SIZE, tenantId);
      setCalls(result.data);
      setStats(result.stats);
      setTotal(result.total);
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      else setError(err instanceof Error ? err.message : String(err));
    }
  }, [key, tenantId, filters, page, onUnauthorized]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const abort = new AbortController();
    const onEvent = (e: IvrCallEvent) => {
      // Show the change at once, then let the server recount the stats.
      // New calls arrive at the top: show them at once on the first page; other pages just refresh.
      if (page === 1 && matches(e.call, filters)) setCalls((list) => upsertCall(list, e.call).slice(0, PAGE_SIZE));
      clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => void load(), 300);
    };
    void streamCalls(key, onEvent, abort.signal, setLive, tenantId);
    return () => {
      abort.abort();
      clearTimeout(refreshTimer.current);
    };
  }, [key, tenantId, filters, page, load]);

  const changeFilters = (next: Filters) => {
    setFilters(next);
    setPage(1);
  };
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <>
      <header className="top">
        <h1>IVR payment-plan calls</h1>
        <span className={`live ${live ? 'on' : 'off'}`} data-testid="live-indicator">
          {live ? '● Live' : '○ Reconnecting'}
        </span>
      </header>
      <StatsBar stats={stats} />
      <section className="filters" aria-label="Filters">
        <label>
          Status
          <select
            data-testid="filter-status"
            value={filters.status}
            onChange={(e) => changeFilters({ ...filters, status: e.target.value })}
          >
            <option value="">All</option>
            {Object.entries(STATUS_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            data-testid="filter-from"
            value={filters.from}
            onChange={(e) => changeFilters({ ...filters, from: e.target.value })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            data-testid="filter-to"
            value={filters.to}
            onChange={(e) => changeFilters({ ...filters, to: e.target.value })}
          />
        </label>
      </section>
      {error && <p className="error">{error}</p>}
      <CallTable calls={calls} />
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ‹ Newer
          </button>
          <span data-testid="page-info">
            Page {page} of {pages} · {total} calls
          </span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Older ›
          </button>
        </nav>
      )}
    </>
  );
}
