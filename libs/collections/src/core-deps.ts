import type { Database, Prisma } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';

/** A Prisma interactive-transaction client: every use case writes through one. */
export type Tx = Prisma.TransactionClient;

/** What every use case needs. `producer` removes queued jobs after a cancellation commits (optional in tools and tests). */
export interface CollectionsDeps {
  db: Database;
  producer?: JobProducer;
  logger?: Logger;
  clock?: () => Date;
}

/**
 * Who caused a change, as the timeline shows it: `api:<key id>`, `admin`, `stripe`, `debtor_link`,
 * `voice_agent`, `ivr`, `notifier`, `pipeline`, `system`.
 */
export type Actor = string;

export const nowOf = (deps: CollectionsDeps): Date => (deps.clock ? deps.clock() : new Date());
