import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_FILE_EXTENSION, readModelFile, writeModelFile, type ForestModel } from '@recoup/forest';
import type { Logger } from '@recoup/observability';
import type { ModelStore } from './model-store';

/**
 * The model that answers. Trained models live in PostgreSQL (ModelStore), shared by every replica: a model stored by
 * one replica is announced over Redis and every replica swaps to the newest stored model within moments. The
 * directory holds the model shipped with the image (the bootstrap model), used while the database holds none.
 * Swapping is one reference assignment: a request holds the model it started with, so it is scored by one version
 * from start to end, and the next request sees the new one.
 */
export class ModelRegistry {
  private active?: ForestModel;
  private reloading: Promise<void> = Promise.resolve();
  private readonly stopFollowing?: () => void;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly store?: ModelStore,
  ) {
    // Every announcement (ours included) reloads the newest stored model, so replicas converge on it whatever order
    // announcements arrive in.
    this.stopFollowing = store?.onAnnounced(() => void this.reloadNewest());
  }

  current(): ForestModel | undefined {
    return this.active;
  }

  /** Loads the newest stored model, else the newest model file in the directory that reads cleanly. */
  async loadLatest(): Promise<ForestModel | undefined> {
    const stored = await this.store?.newest();
    if (stored) {
      this.swap(stored);
      return stored;
    }
    return this.loadNewestFile();
  }

  private async loadNewestFile(): Promise<ForestModel | undefined> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(MODEL_FILE_EXTENSION)).sort();
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message }, dir: this.dir }, 'model directory unreadable: no model loaded');
      return undefined;
    }
    for (const name of names.reverse()) {
      try {
        const model = await readModelFile(path.join(this.dir, name));
        this.swap(model);
        return model;
      } catch (err) {
        this.logger.error({ err: { message: (err as Error).message }, file: name }, 'model file unreadable, trying the previous one');
      }
    }
    this.logger.warn({ dir: this.dir }, 'no model stored or in the directory: predictions answer 503 until one is trained');
    return undefined;
  }

  /** One reload at a time; a no-op when the newest stored version already answers. */
  reloadNewest(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        const version = await this.store?.newestVersion();
        if (!version || version === this.active?.info.version) return;
        const model = await this.store?.newest();
        if (model && model.info.version !== this.active?.info.version) this.swap(model);
      } catch (err) {
        this.logger.error({ err: { message: (err as Error).message } }, 'could not reload the newest stored model');
      }
    });
    return this.reloading;
  }

  /**
   * Stores the model (in PostgreSQL, announced to every replica; without a store, as a file in the directory) and
   * makes it the one that answers here at once. Returns where it went.
   */
  async publish(model: ForestModel): Promise<string> {
    if (this.store) {
      const stored = await this.store.save(model);
      this.swap(model);
      this.logger.info({ version: stored.version, bytes: stored.sizeBytes }, 'model published to every replica');
      return `prediction_models/${stored.version}`;
    }
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${model.info.version}${MODEL_FILE_EXTENSION}`);
    const bytes = await writeModelFile(file, model);
    this.swap(model);
    this.logger.info({ version: model.info.version, file, bytes }, 'model published');
    return file;
  }

  swap(model: ForestModel): void {
    const previous = this.active?.info.version;
    if (previous === model.info.version) return;
    this.active = model;
    this.logger.info({ version: model.info.version, previous }, 'model now answering');
  }

  close(): void {
    this.stopFollowing?.();
  }
}
