import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

/**
 * A cursor-paged list from the gateway: the first page whenever `deps` change, `more()` appends
 * the next. A 401 signs out; any other failure is shown on the page.
 */
export function usePaged<T>(
  load: (cursor: string | null) => Promise<{ data: T[]; next_cursor: string | null }>,
  onUnauthorized: () => void,
  deps: unknown[],
) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(async (cursor: string | null) => {
    setLoading(true);
    try {
      const page = await load(cursor);
      setItems((list) => (cursor ? [...list, ...page.data] : page.data));
      setNext(page.next_cursor);
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  }, deps);

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage]);

  return { items, loading, error, hasMore: next !== null, more: () => void fetchPage(next) };
}
