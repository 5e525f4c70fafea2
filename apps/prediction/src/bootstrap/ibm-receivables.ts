import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { LabelledExample } from '../features/product-features';

/**
 * The IBM Watson Analytics "Accounts Receivable" sample (2,466 settled invoices, see
 * ../shared/data/ibm-accounts-receivable/SOURCES.md), mapped onto the product's features.
 *
 * Label: paid = settled by the due date (DaysLate = 0); every invoice was settled eventually,
 * so "paid on time" is the outcome the data can teach. SettledDate, DaysToSettle and DaysLate
 * of an invoice are its outcome and never its features; a customer's history only counts
 * invoices settled strictly before this invoice's date (what was known when it was issued).
 *
 * Mapping: InvoiceAmount -> invoice_amount; PaperlessBill = Electronic -> payment_method_on_file
 * (a proxy: an electronic biller is set up for electronic payment); Disputed -> invoice_disputed
 * (in the platform an open dispute is on the invoice or client record when it is scored);
 * previous_disputes, previous_late_payments, previous_paid_invoices and average_days_late from
 * the customer's invoices settled before; client age from the customer's first invoice. Nothing in the data corresponds to days overdue (each row
 * is scored at issue, 30 days before due), industry, collection stage, email, SMS or partial
 * payments: those are left missing, and the forest never splits on them.
 */
export const IBM_HOLDOUT_START = new Date(Date.UTC(2013, 6, 1));

export interface IbmInvoice {
  customerId: string;
  countryCode: string;
  invoiceNumber: string;
  invoiceDate: Date;
  dueDate: Date;
  settledDate: Date;
  amount: number;
  disputed: boolean;
  paperless: boolean;
  daysLate: number;
}

const DAY_MS = 86_400_000;

function usDate(s: string): Date {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  if (!m) throw new Error(`not an M/D/YYYY date: ${s}`);
  return new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])));
}

export function parseIbmReceivables(csv: string): IbmInvoice[] {
  const records = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return records.map((r, i) => {
    const need = (k: string) => {
      const v = r[k];
      if (v === undefined || v === '') throw new Error(`row ${i + 2}: column ${k} is missing`);
      return v;
    };
    return {
      customerId: need('customerID'),
      countryCode: need('countryCode'),
      invoiceNumber: need('invoiceNumber'),
      invoiceDate: usDate(need('InvoiceDate')),
      dueDate: usDate(need('DueDate')),
      settledDate: usDate(need('SettledDate')),
      amount: Number(need('InvoiceAmount')),
      disputed: need('Disputed') === 'Yes',
      paperless: need('PaperlessBill') === 'Electronic',
      daysLate: Number(need('DaysLate')),
    };
  });
}

export function readIbmReceivables(file: string): IbmInvoice[] {
  return parseIbmReceivables(readFileSync(file, 'utf8'));
}

/** Point-in-time product features of every invoice, in invoice-date order. */
export function ibmExamples(invoices: readonly IbmInvoice[]): Array<LabelledExample & { invoice: IbmInvoice }> {
  const byCustomer = new Map<string, IbmInvoice[]>();
  for (const inv of invoices) {
    const list = byCustomer.get(inv.customerId) ?? [];
    list.push(inv);
    byCustomer.set(inv.customerId, list);
  }
  const sorted = [...invoices].sort(
    (a, b) => a.invoiceDate.getTime() - b.invoiceDate.getTime() || a.invoiceNumber.localeCompare(b.invoiceNumber),
  );
  return sorted.map((inv) => {
    const history = byCustomer.get(inv.customerId) ?? [];
    let settled = 0;
    let late = 0;
    let daysLate = 0;
    let disputes = 0;
    let firstSeen = inv.invoiceDate.getTime();
    for (const h of history) {
      if (h.invoiceDate.getTime() < firstSeen) firstSeen = h.invoiceDate.getTime();
      if (h.settledDate.getTime() >= inv.invoiceDate.getTime()) continue;
      settled++;
      if (h.daysLate > 0) late++;
      daysLate += h.daysLate;
      if (h.disputed) disputes++;
    }
    return {
      invoice: inv,
      asOf: inv.invoiceDate,
      paid: inv.daysLate === 0,
      features: {
        invoice_amount: inv.amount,
        previous_late_payments: late,
        client_age_days: Math.round((inv.invoiceDate.getTime() - firstSeen) / DAY_MS),
        previous_disputes: disputes,
        invoice_disputed: inv.disputed,
        payment_method_on_file: inv.paperless,
        previous_paid_invoices: settled,
        average_days_late: settled > 0 ? daysLate / settled : undefined,
      },
    };
  });
}
