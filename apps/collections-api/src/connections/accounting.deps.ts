import { randomBytes } from 'node:crypto';
import type { CollectionsDeps } from '@recoup/collections';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import { TokenVault, createAccountingProviders, type AccountingConfig } from '@recoup/providers/accounting';
import type { Redis } from '@recoup/queue';
import { AccountingConnections } from './accounting-connections.service';
import { AccountingSyncScheduler } from './accounting-sync.scheduler';

export interface AccountingDeps {
  connections: AccountingConnections;
  scheduler: AccountingSyncScheduler;
}

/**
 * The accounting sync's adapters: Xero and QuickBooks when their app credentials are set, the sandbox books outside
 * production; tokens sealed with ACCOUNTING_ENCRYPTION_KEY. Without that key only the sandbox can connect (its tokens
 * are sealed with a key that lives in this process), and the start-up log says so.
 */
export function createAccountingDeps(options: {
  config: Omit<AccountingConfig, 'allowSandbox'> & {
    ACCOUNTING_ENCRYPTION_KEY?: string;
    COLLECTIONS_API_PUBLIC_URL: string;
    QUEUE_PREFIX: string;
  };
  production: boolean;
  db: Database;
  collections: CollectionsDeps;
  producer: Redis;
  workerConnection: Redis;
  logger: Logger;
}): AccountingDeps {
  const { config, logger } = options;
  const providers = createAccountingProviders({ ...config, allowSandbox: !options.production });
  const key = config.ACCOUNTING_ENCRYPTION_KEY;
  if (!key && providers.size > 0 && [...providers.keys()].some((p) => p !== 'sandbox')) {
    logger.warn('ACCOUNTING_ENCRYPTION_KEY is not set: Xero/QuickBooks connections are refused until it is');
  }
  const scheduler = new AccountingSyncScheduler({
    producer: options.producer,
    workerConnection: options.workerConnection,
    prefix: config.QUEUE_PREFIX,
    logger,
  });
  const connections = new AccountingConnections({
    db: options.db,
    collections: options.collections,
    providers,
    vault: key ? TokenVault.fromBase64(key) : new TokenVault(randomBytes(32)),
    vaultIsEphemeral: !key,
    publicBaseUrl: config.COLLECTIONS_API_PUBLIC_URL,
    logger,
    enqueueSync: (id) => scheduler.enqueueSync(id),
    enqueueWriteBack: (id) => scheduler.enqueueWriteBack(id),
  });
  logger.info({ providers: [...providers.keys()] }, 'accounting providers');
  return { connections, scheduler };
}

/** Starts the accounting worker and its schedule (main.ts, and tests that need the queue). */
export async function startAccountingSync(deps: { accounting: AccountingDeps; db: Database }, every: number | 'off'): Promise<void> {
  await deps.accounting.scheduler.scheduleEvery(every);
  deps.accounting.scheduler.start(deps.accounting.connections, async () =>
    (
      await deps.db.accountingConnection.findMany({
        where: { status: { in: ['active', 'error'] }, provider: { not: 'csv' } },
        select: { id: true },
      })
    ).map((c) => c.id),
  );
}
