import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_FILE_EXTENSION, readModelFile, writeModelFile, type ForestModel } from '@recoup/forest';
import type { Logger } from '@recoup/observability';

/**
 * The model that answers, and the directory of versioned model files behind it. Versions
 * begin with their training time, so the newest file sorts last. Swapping is one reference
 * assignment: a request holds the model it started with, so it is scored by one version
 * from start to end, and the next request sees the new one.
 */
export class ModelRegistry {
  private active?: ForestModel;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  current(): ForestModel | undefined {
    return this.active;
  }

  /** Loads the newest model file that reads cleanly; a corrupt newest file falls back to the one before. */
  async loadLatest(): Promise<ForestModel | undefined> {
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
    this.logger.warn({ dir: this.dir }, 'no model file found: predictions answer 503 until one is trained');
    return undefined;
  }

  /** Writes the model under its version, then makes it the one that answers. */
  async publish(model: ForestModel): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${model.info.version}${MODEL_FILE_EXTENSION}`);
    const bytes = await writeModelFile(file, model);
    this.swap(model);
    this.logger.info({ version: model.info.version, file, bytes }, 'model published');
    return file;
  }

  swap(model: ForestModel): void {
    const previous = this.active?.info.version;
    this.active = model;
    this.logger.info({ version: model.info.version, previous }, 'model now answering');
  }
}
