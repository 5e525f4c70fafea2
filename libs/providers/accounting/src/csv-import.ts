import { toMinorUnits, type BooksContact, type BooksInvoice } from './accounting.port';

/** Which CSV column holds each field (header names, matched case-insensitively). Only the required ones must be mapped. */
export interface CsvColumnMapping {
  reference: string;
  amount: string;
  due_date: string;
  contact_name: string;
  issue_date?: string;
  currency?: string;
  contact_email?: string;
  contact_phone?: string;
  /** The invoice's id in the source system; the reference when absent. */
  invoice_id?: string;
  /** The contact's id in the source system; the email (else the name) when absent. */
  contact_id?: string;
  /** A column whose value `void`/`voided`/`cancelled`/`deleted` marks an invoice to cancel, `paid` one paid. */
  status?: string;
}

export const DEFAULT_CSV_MAPPING: CsvColumnMapping = {
  reference: 'reference',
  amount: 'amount',
  due_date: 'due_date',
  contact_name: 'contact_name',
  issue_date: 'issue_date',
  currency: 'currency',
  contact_email: 'contact_email',
  contact_phone: 'contact_phone',
  invoice_id: 'invoice_id',
  contact_id: 'contact_id',
  status: 'status',
};

export interface CsvRowError {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  field: string;
  detail: string;
}

export interface CsvImport {
  contacts: BooksContact[];
  invoices: BooksInvoice[];
  /** The file line of each invoice (same order as `invoices`). */
  invoiceLines: number[];
  errors: CsvRowError[];
}

/** RFC 4180 fields: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i += 1) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function dateOf(v: string): Date | null {
  const s = v.trim();
  if (ISO_DATE.test(s)) return new Date(`${s}T00:00:00Z`);
  const uk = UK_DATE.exec(s); // dd/mm/yyyy: the UK export format of Xero, Sage and FreeAgent
  if (uk) return new Date(Date.UTC(Number(uk[3]), Number(uk[2]) - 1, Number(uk[1])));
  return null;
}

/**
 * Reads an invoice export with a column mapping into the books' shapes the sync upserts. Rows with a bad field are
 * reported (line, field, why) and left out; the rest import. Amounts are major units (`1,250.00` or `1250`).
 */
export function readInvoiceCsv(text: string, mapping: CsvColumnMapping, now: Date): CsvImport {
  const [header, ...rows] = parseCsv(text);
  const errors: CsvRowError[] = [];
  if (!header) return { contacts: [], invoices: [], invoiceLines: [], errors: [{ line: 1, field: 'header', detail: 'the file is empty' }] };
  const index = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]));
  for (const key of ['reference', 'amount', 'due_date', 'contact_name'] as const) {
    if (!index.has(mapping[key].toLowerCase()))
      errors.push({ line: 1, field: key, detail: `column "${mapping[key]}" is not in the header` });
  }
  if (errors.length) return { contacts: [], invoices: [], invoiceLines: [], errors };
  const contacts = new Map<string, BooksContact>();
  const invoices: BooksInvoice[] = [];
  const invoiceLines: number[] = [];
  rows.forEach((cells, n) => {
    const line = n + 2;
    const get = (key: keyof CsvColumnMapping) => {
      const col = mapping[key];
      const i = col ? index.get(col.toLowerCase()) : undefined;
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const rowErrors: CsvRowError[] = [];
    const reference = get('reference');
    if (!reference) rowErrors.push({ line, field: 'reference', detail: 'empty' });
    const currency = (get('currency') || 'GBP').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) rowErrors.push({ line, field: 'currency', detail: `"${currency}" is not an ISO 4217 code` });
    const amountText = get('amount').replace(/[,£$€\s]/g, '');
    const amount = Number(amountText);
    if (!amountText || !Number.isFinite(amount) || amount <= 0)
      rowErrors.push({ line, field: 'amount', detail: `"${get('amount')}" is not a positive amount` });
    const due = dateOf(get('due_date'));
    if (!due) rowErrors.push({ line, field: 'due_date', detail: `"${get('due_date')}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` });
    const issuedText = get('issue_date');
    const issued = issuedText ? dateOf(issuedText) : due;
    if (!issued) rowErrors.push({ line, field: 'issue_date', detail: `"${issuedText}" is not a date` });
    const name = get('contact_name');
    if (!name) rowErrors.push({ line, field: 'contact_name', detail: 'empty' });
    if (rowErrors.length) {
      errors.push(...rowErrors);
      return;
    }
    const email = get('contact_email') || null;
    const contactId = get('contact_id') || (email ? email.toLowerCase() : name.toLowerCase());
    if (!contacts.has(contactId)) {
      contacts.set(contactId, {
        externalId: contactId,
        name,
        email,
        phone: get('contact_phone') || null,
        kind: 'business',
        updatedAt: now,
      });
    }
    const status = get('status').toLowerCase();
    invoiceLines.push(line);
    invoices.push({
      externalId: get('invoice_id') || reference,
      contactExternalId: contactId,
      reference,
      amountPence: toMinorUnits(amount, currency),
      currency,
      issueDate: issued as Date,
      dueDate: due as Date,
      status: ['void', 'voided', 'cancelled', 'deleted'].includes(status) ? 'voided' : status === 'paid' ? 'paid' : 'open',
      creditedPence: 0,
      updatedAt: now,
    });
  });
  return { contacts: [...contacts.values()], invoices, invoiceLines, errors };
}
