export { booksActor, type BooksContactRecord, type BooksInvoiceRecord } from './books-records';
export { upsertBooksContact, type UpsertBooksContactInput, type UpsertBooksContactResult } from './upsert-books-contact';
export { upsertBooksInvoice, type UpsertBooksInvoiceInput, type UpsertBooksInvoiceResult } from './upsert-books-invoice';
export { recordPaymentWrittenBack, type PaymentWrittenBackInput } from './record-payment-written-back';
