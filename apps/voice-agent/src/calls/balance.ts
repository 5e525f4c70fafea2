import { quoteInvoiceBalance, type BalanceQuote } from '@recoup/collections';
import type { Database, InvoiceModel } from '@recoup/db';

/** The one balance the agent speaks and a payment link asks for: the core's quote of the invoice, never recomputed here. */
export function quoteOf(db: Database, invoice: InvoiceModel, now: Date): Promise<BalanceQuote> {
  return quoteInvoiceBalance(db, invoice, now);
}
