import { deserializeModel, serializeModel, type ForestModel } from '@recoup/forest';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import { ChannelSubscription } from '@recoup/auth';

/** The pub/sub channel on which a replica that stored a model tells the others (under QUEUE_PREFIX: stacks never cross). */
export function modelChannel(queuePrefix: string): string {
  return `${queuePrefix}:prediction:models`;
}

export interface ModelAnnouncements {
  /** Publishes: the service's fail-fast client connection. */
  publisher: Redis;
  /**
   * A connection in subscriber mode (createRedis(url, 'worker')), possibly shared with other subscribers; never closed
   * here. Without it the store only announces (a one-off `npm run train`).
   */
  subscriber?: Redis;
  channel: string;
}

export interface StoredModelInfo {
  version: string;
  sizeBytes: number;
}

/** How many of the newest rows are tried when the newest does not read (a truncated write, a format from the future). */
const FALLBACK_ROWS = 5;

/**
 * Trained models in PostgreSQL (`prediction_models`), shared by every replica: `save` stores a model and announces
 * its version over Redis pub/sub; every replica (the saving one too) hears it and reloads the newest model. Pub/sub
 * is at most once, so a replica whose subscription comes back after an outage reloads the newest model then too.
 * `predict-cli train --db` and the training queue both store through here.
 */
export class ModelStore {
  private readonly listeners = new Set<(version: string) => void>();
  private readonly subscription?: ChannelSubscription;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly announcements?: ModelAnnouncements,
  ) {
    if (!announcements?.subscriber) return;
    const tell = (version: string) => {
      for (const listener of this.listeners) listener(version);
    };
    this.subscription = new ChannelSubscription(
      announcements.subscriber,
      announcements.channel,
      // Announcements sent while the subscription was down are lost: when it is (back) in place, say "reload".
      { message: tell, lost: () => undefined, heard: () => tell('') },
      logger,
    );
  }

  /** Resolves once the announcement subscription is in place (start-up, tests). */
  async ready(): Promise<void> {
    await this.subscription?.ready();
  }

  /** Stores the model (idempotent by version) and announces it to every replica; an announcement failure is logged. */
  async save(model: ForestModel): Promise<StoredModelInfo> {
    const bytes = serializeModel(model);
    const version = model.info.version;
    const source = typeof model.metadata.source === 'string' ? model.metadata.source : 'unknown';
    await this.db.predictionModel.upsert({
      where: { version },
      create: { version, trainedAt: new Date(model.info.trainedAt), source, sizeBytes: bytes.length, bytes: new Uint8Array(bytes) },
      update: {},
    });
    if (this.announcements) {
      await this.announcements.publisher.publish(this.announcements.channel, version).catch((err: Error) =>
        // Stored: the other replicas load it when their subscription next comes back, or on restart.
        this.logger.error({ err: { message: err.message }, version }, 'model stored but not announced to the other replicas'),
      );
    }
    return { version, sizeBytes: bytes.length };
  }

  /** The newest stored model that reads cleanly, or undefined when none is stored. */
  async newest(): Promise<ForestModel | undefined> {
    const rows = await this.db.predictionModel.findMany({
      orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
      take: FALLBACK_ROWS,
      select: { version: true, bytes: true },
    });
    for (const row of rows) {
      try {
        return deserializeModel(Buffer.from(row.bytes));
      } catch (err) {
        this.logger.error(
          { err: { message: (err as Error).message }, version: row.version },
          'stored model unreadable, trying the previous one',
        );
      }
    }
    return undefined;
  }

  /** The version of the newest stored model (a cheap check before loading its bytes). */
  async newestVersion(): Promise<string | undefined> {
    const row = await this.db.predictionModel.findFirst({
      orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
      select: { version: true },
    });
    return row?.version;
  }

  /** Calls `listener` with a version announced by any replica ('' when announcements may have been missed). */
  onAnnounced(listener: (version: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscription?.close();
  }
}
