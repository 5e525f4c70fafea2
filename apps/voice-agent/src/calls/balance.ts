import { quoteBalance, type BalanceQuote } from '@recoup/collections';
import type { ClientKind, InvoiceModel } from '@recoup/db';

/** An invoice read with what its quote depends on: the debtor's kind and whether the creditor claims late-payment charges. */
export type QuotableInvoice = InvoiceModel & { client: { kind: ClientKind }; tenant: { claimsLatePaymentCharges: boolean } };

/** The one balance the agent speaks and a payment link asks for (the core's quote, never recomputed here). */
export function quoteOf(invoice: QuotableInvoice, now: Date): BalanceQuote {
  return quoteBalance({ invoice, clientKind: invoice.client.kind, claimsLatePaymentCharges: invoice.tenant.claimsLatePaymentCharges }, now);
}
