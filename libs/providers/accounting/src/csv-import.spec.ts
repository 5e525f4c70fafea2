import { DEFAULT_CSV_MAPPING, parseCsv, readInvoiceCsv } from './csv-import';
import { TokenVault } from './token-vault';

describe('readInvoiceCsv', () => {
  const now = new Date('2026-11-30T09:00:00Z');

  it('maps columns, reads UK and ISO dates and money in major units, and reports bad lines by line and field', () => {
    const csv = [
      'Invoice No,Customer,Email,Total,Due,Issued,Ccy',
      'INV-1,"Acme, Ltd",ap@acme.example,"1,250.00",31/10/2026,2026-10-01,gbp',
      'INV-2,Acme Ltd,ap@acme.example,abc,2026-11-01,,GBP',
      'INV-3,Globex,,99.5,2026-11-15,,',
    ].join('\r\n');
    const mapping = {
      reference: 'Invoice No',
      contact_name: 'Customer',
      contact_email: 'Email',
      amount: 'Total',
      due_date: 'Due',
      issue_date: 'Issued',
      currency: 'Ccy',
    };
    const out = readInvoiceCsv(csv, mapping, now);
    expect(out.errors).toEqual([{ line: 3, field: 'amount', detail: '"abc" is not a positive amount' }]);
    expect(
      out.invoices.map((i) => [i.reference, i.amountPence, i.currency, i.dueDate.toISOString().slice(0, 10), i.contactExternalId]),
    ).toEqual([
      ['INV-1', 125_000, 'GBP', '2026-10-31', 'ap@acme.example'],
      ['INV-3', 9_950, 'GBP', '2026-11-15', 'globex'],
    ]);
    expect(out.contacts.map((c) => c.name)).toEqual(['Acme, Ltd', 'Globex']);
  });

  it('names a mapped column missing from the header', () => {
    expect(readInvoiceCsv('a,b\n1,2', DEFAULT_CSV_MAPPING, now).errors.map((e) => e.field)).toEqual([
      'reference',
      'amount',
      'due_date',
      'contact_name',
    ]);
  });

  it('parses quotes, doubled quotes and newlines inside fields', () => {
    expect(parseCsv('x,"a ""b""\nc"\n1,2\n')).toEqual([
      ['x', 'a "b"\nc'],
      ['1', '2'],
    ]);
  });
});

describe('TokenVault', () => {
  const vault = new TokenVault(Buffer.alloc(32, 7));

  it('seals with AES-256-GCM bound to the connection; another row, a tampered value or another key do not open it', () => {
    const tokens = { accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-12-01T00:00:00Z') };
    const sealed = vault.sealTokens(tokens, 'conn-1');
    expect(sealed).not.toContain('rt');
    expect(vault.openTokens(sealed, 'conn-1')).toEqual(tokens);
    expect(() => vault.openTokens(sealed, 'conn-2')).toThrow();
    expect(() => vault.open(sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA'), 'conn-1')).toThrow();
    expect(() => new TokenVault(Buffer.alloc(32, 8)).open(sealed, 'conn-1')).toThrow(/another key/);
  });
});
