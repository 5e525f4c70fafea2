import { z } from 'zod';

/** The accounting systems a tenant can connect (libs/providers/accounting); csv is an upload, not a connection. */
export const AccountingProviderName = z.enum(['xero', 'quickbooks', 'sandbox']).meta({ id: 'AccountingProviderName' });
export type AccountingProviderName = z.infer<typeof AccountingProviderName>;

export const ConnectionStatus = z
  .enum(['pending', 'active', 'revoked', 'error', 'disconnected'])
  .describe(
    'pending: waiting for the OAuth callback; active: syncing; revoked: the books refused our tokens (invalid_grant or 401), reconnect; error: the last sync failed and will be retried; disconnected: by the tenant',
  )
  .meta({ id: 'ConnectionStatus' });
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const SyncSummary = z
  .object({
    contacts: z.number().int(),
    invoices_created: z.number().int(),
    invoices_updated: z.number().int(),
    invoices_cancelled: z.number().int(),
    payments_applied: z.number().int(),
    conflicts: z.number().int(),
    written_back: z.number().int(),
    skipped: z.number().int(),
  })
  .meta({ id: 'SyncSummary' });
export type SyncSummary = z.infer<typeof SyncSummary>;

/** A connection as the API shows it: never its tokens. */
export const AccountingConnection = z
  .object({
    id: z.uuid(),
    provider: z.enum(['xero', 'quickbooks', 'sandbox', 'csv']),
    status: ConnectionStatus,
    organisation: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    last_sync_at: z.string().nullable(),
    last_sync: SyncSummary.nullable(),
    last_error: z.string().nullable(),
    last_error_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'AccountingConnection' });
export type AccountingConnection = z.infer<typeof AccountingConnection>;

export const ConnectRequest = z.object({ provider: AccountingProviderName }).strict().meta({ id: 'ConnectRequest' });
export type ConnectRequest = z.infer<typeof ConnectRequest>;

export const ConnectResponse = z
  .object({
    connection: AccountingConnection,
    /** Send the user here: the provider's consent screen (PKCE and a single-use state); it redirects to the callback. */
    authorize_url: z.url(),
  })
  .meta({ id: 'ConnectResponse' });
export type ConnectResponse = z.infer<typeof ConnectResponse>;

export const ConnectionList = z.object({ data: z.array(AccountingConnection) }).meta({ id: 'ConnectionList' });
export type ConnectionList = z.infer<typeof ConnectionList>;

export const OAuthCallbackQuery = z
  .object({
    state: z.string().min(16).max(200),
    code: z.string().min(1).max(2000).optional(),
    realmId: z.string().max(100).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(500).optional(),
  })
  .meta({ id: 'OAuthCallbackQuery' });
export type OAuthCallbackQuery = z.infer<typeof OAuthCallbackQuery>;

export const SyncNowResponse = z.object({ job_id: z.string(), connection_id: z.uuid() }).meta({ id: 'SyncNowResponse' });
export type SyncNowResponse = z.infer<typeof SyncNowResponse>;

export const CsvColumnMapping = z
  .object({
    reference: z.string().min(1).default('reference'),
    amount: z.string().min(1).default('amount'),
    due_date: z.string().min(1).default('due_date'),
    contact_name: z.string().min(1).default('contact_name'),
    issue_date: z.string().min(1).optional(),
    currency: z.string().min(1).optional(),
    contact_email: z.string().min(1).optional(),
    contact_phone: z.string().min(1).optional(),
    invoice_id: z.string().min(1).optional(),
    contact_id: z.string().min(1).optional(),
    status: z.string().min(1).optional(),
  })
  .strict()
  .describe('Which header of the file holds each field (case-insensitive)')
  .meta({ id: 'CsvColumnMapping' });
export type CsvColumnMapping = z.infer<typeof CsvColumnMapping>;

export const CsvImportRequest = z
  .object({
    /** The file's text (UTF-8, RFC 4180; a header line first). Amounts in major units; dates YYYY-MM-DD or DD/MM/YYYY. */
    csv: z.string().min(1).max(2_000_000),
    mapping: CsvColumnMapping.optional(),
    /** true: report what would change and change nothing. */
    dry_run: z.boolean().default(true),
  })
  .strict()
  .meta({ id: 'CsvImportRequest' });
export type CsvImportRequest = z.infer<typeof CsvImportRequest>;

export const CsvImportRow = z
  .object({
    line: z.number().int(),
    reference: z.string(),
    action: z.enum(['create', 'update', 'unchanged', 'cancel', 'skip']),
    /** For an update: field → { from, to }. */
    changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
  })
  .meta({ id: 'CsvImportRow' });

export const CsvImportResponse = z
  .object({
    dry_run: z.boolean(),
    summary: z.object({
      create: z.number().int(),
      update: z.number().int(),
      unchanged: z.number().int(),
      cancel: z.number().int(),
      skip: z.number().int(),
      new_contacts: z.number().int(),
      errors: z.number().int(),
    }),
    rows: z.array(CsvImportRow),
    errors: z.array(z.object({ line: z.number().int(), field: z.string(), detail: z.string() })),
  })
  .meta({ id: 'CsvImportResponse' });
export type CsvImportResponse = z.infer<typeof CsvImportResponse>;

/** Job payloads of the accounting-sync queue (collections-api): ids only, the worker re-reads the rows. */
export const AccountingSyncJob = z.object({ connection_id: z.uuid() }).strict().meta({ id: 'AccountingSyncJob' });
export type AccountingSyncJob = z.infer<typeof AccountingSyncJob>;
export const AccountingWriteBackJob = z.object({ payment_id: z.uuid() }).strict().meta({ id: 'AccountingWriteBackJob' });
export type AccountingWriteBackJob = z.infer<typeof AccountingWriteBackJob>;
