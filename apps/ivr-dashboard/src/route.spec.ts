import { href, parseRoute } from './route';

const ID = '0b6f3c1e-8a4d-4f57-9a51-2f0c8f1d9e21';

describe('console routes', () => {
  it('reads each page from the hash and writes it back', () => {
    for (const route of [
      { page: 'calls' },
      { page: 'outbox', invoiceId: null },
      { page: 'outbox', invoiceId: ID },
      { page: 'invoices' },
      { page: 'journey', invoiceId: ID },
    ] as const)
      expect(parseRoute(href(route))).toEqual(route);
  });

  it('falls back to the calls page, and ignores an invoice id that is not a UUID', () => {
    expect(parseRoute('')).toEqual({ page: 'calls' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'calls' });
    expect(parseRoute('#/outbox?invoice_id=1%20OR%201')).toEqual({ page: 'outbox', invoiceId: null });
    expect(parseRoute('#/invoices/not-an-id')).toEqual({ page: 'invoices' });
  });
});
