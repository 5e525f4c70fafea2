/**
 * What the accounting sync hands the core, in the core's own terms (the provider lib's BooksContact / BooksInvoice are
 * structurally the same; the core depends on no provider).
 */
export interface BooksContactRecord {
  externalId: string;
  name: string;
  email: string | null;
  phone: string | null;
  kind: 'business' | 'consumer';
}

export interface BooksInvoiceRecord {
  externalId: string;
  contactExternalId: string;
  reference: string;
  /** The total less credit notes allocated to it, in minor units of `currency`. */
  amountPence: number;
  currency: string;
  issueDate: Date;
  dueDate: Date;
  status: 'draft' | 'open' | 'paid' | 'voided';
  creditedPence: number;
  /** The books' last-modified time: a later one than we applied is a change in the books. */
  updatedAt: Date;
}

/** The timeline's actor of a change that came from the books. */
export const booksActor = (provider: string): string => `accounting:${provider}`;
