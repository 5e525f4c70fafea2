/** The console's pages, addressed by the URL hash so the static server and the dev server need no routes. */
export type Route =
  | { page: 'calls' }
  | { page: 'outbox'; invoiceId: string | null }
  | { page: 'invoices' }
  | { page: 'journey'; invoiceId: string }
  | { page: 'connections' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const query = new URLSearchParams(search);
  if (parts[0] === 'outbox') {
    const invoiceId = query.get('invoice_id');
    return { page: 'outbox', invoiceId: invoiceId && UUID.test(invoiceId) ? invoiceId : null };
  }
  if (parts[0] === 'invoices' && parts[1] && UUID.test(parts[1])) return { page: 'journey', invoiceId: parts[1] };
  if (parts[0] === 'invoices') return { page: 'invoices' };
  if (parts[0] === 'connections') return { page: 'connections' };
  return { page: 'calls' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'calls':
      return '#/calls';
    case 'outbox':
      return route.invoiceId ? `#/outbox?invoice_id=${route.invoiceId}` : '#/outbox';
    case 'invoices':
      return '#/invoices';
    case 'journey':
      return `#/invoices/${route.invoiceId}`;
    case 'connections':
      return '#/connections';
  }
}
