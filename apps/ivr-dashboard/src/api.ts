import { IvrCallEvent, type ListIvrCallsResponse } from '@recoup/contracts';
import { SseParser } from './sse';

export interface Filters {
  status: string;
  from: string;
  to: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function query(filters: Filters, page: number, pageSize: number, tenantId: string | null): string {
  const q = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  if (tenantId) q.set('tenant_id', tenantId);
  if (filters.status) q.set('status', filters.status);
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  return q.toString();
}

/** With the admin key, `tenantId` narrows the calls to one tenant (null: every tenant); a tenant key sees its own. */
export async function fetchCalls(
  key: string,
  filters: Filters,
  page = 1,
  pageSize = 50,
  tenantId: string | null = null,
): Promise<ListIvrCallsResponse> {
  const res = await fetch(`/api/calls?${query(filters, page, pageSize, tenantId)}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as ListIvrCallsResponse;
}

/**
 * The live stream, read with fetch (EventSource cannot send the bearer key). Reconnects after a
 * drop until the signal aborts.
 */
export async function streamCalls(
  key: string,
  onEvent: (e: IvrCallEvent) => void,
  signal: AbortSignal,
  onState: (live: boolean) => void,
  tenantId: string | null = null,
): Promise<void> {
  const url = tenantId ? `/api/calls/stream?${new URLSearchParams({ tenant_id: tenantId }).toString()}` : '/api/calls/stream';
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal });
      if (!res.ok || !res.body) throw new ApiError(res.status, `stream answered ${res.status}`);
      onState(true);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parser.push(decoder.decode(value, { stream: true }))) {
          if (e.event !== 'call') continue;
          const parsed = IvrCallEvent.safeParse(JSON.parse(e.data));
          if (parsed.success) onEvent(parsed.data);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        onState(false);
        return;
      }
    }
    onState(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
