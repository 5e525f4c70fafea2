export {
  AccountingAuthRevoked,
  AccountingRateLimited,
  WebhookNotConfigured,
  WebhookSignatureError,
  isAuthRevoked,
  isRateLimited,
  toMajorUnits,
  toMinorUnits,
} from './accounting.port';
export type {
  AccountingProvider,
  AccountingProviderName,
  AccountingTokens,
  AuthorizeRequest,
  BooksChanges,
  BooksContact,
  BooksInvoice,
  BooksOrganisation,
  BooksPayment,
  BooksWebhook,
  CallbackRequest,
  ConnectionAuth,
  WriteBackPayment,
} from './accounting.port';
export { TokenVault } from './token-vault';
export { hmacSha256Base64 } from './webhook-signature';
export { XeroAccounting, type XeroOptions } from './xero-accounting';
export { QuickBooksAccounting, type QuickBooksOptions } from './quickbooks-accounting';
export { SandboxAccounting } from './sandbox-accounting';
export { DEFAULT_CSV_MAPPING, parseCsv, readInvoiceCsv, type CsvColumnMapping, type CsvImport, type CsvRowError } from './csv-import';
export { createAccountingProviders, type AccountingConfig } from './create-accounting';
