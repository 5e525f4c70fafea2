import type { AccountingProvider, AccountingProviderName } from './accounting.port';
import { QuickBooksAccounting } from './quickbooks-accounting';
import { SandboxAccounting } from './sandbox-accounting';
import { XeroAccounting } from './xero-accounting';

export interface AccountingConfig {
  XERO_CLIENT_ID?: string;
  XERO_CLIENT_SECRET?: string;
  XERO_WEBHOOK_KEY?: string;
  XERO_IDENTITY_URL?: string;
  XERO_AUTHORIZE_URL?: string;
  XERO_API_URL?: string;
  XERO_PAYMENT_ACCOUNT_CODE?: string;
  QUICKBOOKS_CLIENT_ID?: string;
  QUICKBOOKS_CLIENT_SECRET?: string;
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN?: string;
  QUICKBOOKS_ENVIRONMENT?: 'sandbox' | 'production';
  QUICKBOOKS_AUTHORIZE_URL?: string;
  QUICKBOOKS_OAUTH_URL?: string;
  QUICKBOOKS_API_URL?: string;
  /** The sandbox books are offered unless production refuses them (NODE_ENV=production). */
  allowSandbox: boolean;
}

/**
 * The accounting providers this deployment offers: Xero and QuickBooks when their app credentials are set, the
 * sandbox books when allowed. A provider without credentials is absent (connecting to it answers 409 naming the
 * variables), never silently replaced by the sandbox.
 */
export function createAccountingProviders(config: AccountingConfig): Map<AccountingProviderName, AccountingProvider> {
  const providers = new Map<AccountingProviderName, AccountingProvider>();
  if (config.XERO_CLIENT_ID && config.XERO_CLIENT_SECRET) {
    providers.set(
      'xero',
      new XeroAccounting({
        clientId: config.XERO_CLIENT_ID,
        clientSecret: config.XERO_CLIENT_SECRET,
        webhookKey: config.XERO_WEBHOOK_KEY,
        identityUrl: config.XERO_IDENTITY_URL,
        authorizeUrl: config.XERO_AUTHORIZE_URL,
        apiUrl: config.XERO_API_URL,
        paymentAccountCode: config.XERO_PAYMENT_ACCOUNT_CODE,
      }),
    );
  }
  if (config.QUICKBOOKS_CLIENT_ID && config.QUICKBOOKS_CLIENT_SECRET) {
    providers.set(
      'quickbooks',
      new QuickBooksAccounting({
        clientId: config.QUICKBOOKS_CLIENT_ID,
        clientSecret: config.QUICKBOOKS_CLIENT_SECRET,
        webhookVerifierToken: config.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN,
        environment: config.QUICKBOOKS_ENVIRONMENT,
        authorizeUrl: config.QUICKBOOKS_AUTHORIZE_URL,
        oauthUrl: config.QUICKBOOKS_OAUTH_URL,
        apiUrl: config.QUICKBOOKS_API_URL,
      }),
    );
  }
  if (config.allowSandbox) providers.set('sandbox', new SandboxAccounting());
  return providers;
}
