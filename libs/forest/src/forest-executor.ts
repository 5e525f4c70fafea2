/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathContributionRows, voteShares } from './forest-scoring';
import type { ForestModel } from './forest-model';
import { FOREST_WORKER_FLAG, type WorkerRequest, type WorkerResponse } from './forest-worker';
import { growTree, type BinnedTable, type GrownTree, type TreeParams } from './tree-grower';

/** Where the heavy loops run: in this thread, or spread over worker threads. */
export interface ForestExecutor {
  readonly threads: number;
  /** Grows one tree per seed; tree k of the answer is grown from seeds[k], whoever grows it. */
  growTrees(table: BinnedTable, params: TreeParams, seeds: readonly number[]): Promise<GrownTree[]>;
  /** Uncalibrated vote shares of n encoded rows (row-major, model.width columns). */
  voteShares(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array>;
  /** Path contributions of n encoded rows: per row, the bias then model.width contributions. */
  contributions(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array>;
  close(): Promise<void>;
}

/** Runs everything in the calling thread (tests, small jobs, one-core machines). */
export class InlineForestExecutor implements ForestExecutor {
  readonly threads = 1;

  async growTrees(table: BinnedTable, params: TreeParams, seeds: readonly number[]): Promise<GrownTree[]> {
    return seeds.map((seed) => growTree(table, params, seed));
  }

  async voteShares(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array> {
    const out = new Float64Array(n);
    voteShares(model.arrays, rows, model.width, 0, n, out);
    return out;
  }

  async contributions(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array> {
    return pathContributionRows(model.arrays, model.width, rows, 0, n);
  }

  /** Nothing to release: there are no threads. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** How to start a worker thread: a file, or code to evaluate. */
export interface WorkerEntry {
  filename: string;
  eval?: boolean;
  workerData?: unknown;
}

/**
 * From TypeScript sources (tsx, Jest) a worker thread cannot load .ts by itself: tsx's
 * --import hook does not reach a worker's entry on Node 20, so the thread registers tsx's
 * CommonJS hook and then requires the TypeScript entry. From a bundle (dist/apps/<app>/main.js)
 * the bundle is its own worker entry and serves when it sees FOREST_WORKER_FLAG (see the
 * app's main.ts).
 */
export function defaultWorkerEntry(): WorkerEntry {
  if (__filename.endsWith('.ts')) {
    const tsx = require.resolve('tsx/cjs');
    const entry = path.join(__dirname, 'forest.worker.ts');
    return { filename: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(entry)});`, eval: true };
  }
  return { filename: __filename, workerData: { [FOREST_WORKER_FLAG]: true } };
}

/** A request without its id (Omit that distributes over the union). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (r: WorkerResponse) => void;
  reject: (e: Error) => void;
}

class ForestThread {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  failure?: Error;

  constructor(entry: WorkerEntry) {
    this.worker = new Worker(entry.filename, { eval: entry.eval ?? false, workerData: entry.workerData });
    this.worker.on('message', (msg: WorkerResponse) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(`forest worker: ${msg.error}`));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`forest worker exited with code ${code}`)));
  }

  request(msg: Request, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }
}

function shared<T extends Uint8Array | Int32Array>(from: T, make: (b: SharedArrayBuffer) => T): T {
  const copy = make(new SharedArrayBuffer(from.byteLength));
  copy.set(from);
  return copy;
}

/**
 * A fixed set of worker threads. Training shares the binned table with every thread through
 * SharedArrayBuffer (no copy per tree) and hands out trees one at a time, so a slow tree does
 * not hold a thread's queue back; scoring splits rows into one slice per thread.
 */
export class ForestWorkerPool implements ForestExecutor {
  readonly threads: number;
  private workers: ForestThread[] = [];
  private readonly loaded = new Map<ForestModel, string>();
  private keySeq = 0;

  private readonly entry: WorkerEntry;
  private readonly maxLoadedModels: number;

  constructor(options: { threads?: number; entry?: WorkerEntry; maxLoadedModels?: number } = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(2, availableParallelism()));
    this.entry = options.entry ?? defaultWorkerEntry();
    this.maxLoadedModels = options.maxLoadedModels ?? 2;
  }

  private thread(i: number): ForestThread {
    let t = this.workers[i];
    if (!t || t.failure) {
      t = new ForestThread(this.entry);
      this.workers[i] = t;
      // A replaced thread holds none of the models: load them again on demand.
      this.loaded.clear();
    }
    return t;
  }

  async growTrees(table: BinnedTable, params: TreeParams, seeds: readonly number[]): Promise<GrownTree[]> {
    const key = `table-${++this.keySeq}`;
    const sharedTable: BinnedTable = {
      rows: table.rows,
      features: table.features,
      bins: shared(table.bins, (b) => new Uint8Array(b)),
      labels: shared(table.labels, (b) => new Uint8Array(b)),
      usable: shared(table.usable, (b) => new Int32Array(b)),
    };
    const threads = Array.from({ length: Math.min(this.threads, Math.max(1, seeds.length)) }, (_, i) => this.thread(i));
    const trees: GrownTree[] = new Array(seeds.length);
    let next = 0;
    try {
      await Promise.all(threads.map((t) => t.request({ type: 'table', key, table: sharedTable })));
      await Promise.all(
        threads.map(async (t) => {
          while (next < seeds.length) {
            const k = next++;
            const res = await t.request({ type: 'grow', key, params, seed: seeds[k]! });
            if (!res.ok || !res.tree) throw new Error('forest worker returned no tree');
            trees[k] = res.tree;
          }
        }),
      );
    } finally {
      await Promise.allSettled(threads.map((t) => t.request({ type: 'drop', key })));
    }
    return trees;
  }

  private async ensureLoaded(model: ForestModel, threads: ForestThread[]): Promise<string> {
    let key = this.loaded.get(model);
    if (key) return key;
    key = `model-${++this.keySeq}`;
    await Promise.all(threads.map((t) => t.request({ type: 'model', key: key!, arrays: model.arrays, width: model.width })));
    this.loaded.set(model, key);
    // Keep the newest models only: a swapped-out model must not stay in every thread.
    while (this.loaded.size > this.maxLoadedModels) {
      const [oldModel, oldKey] = this.loaded.entries().next().value as [ForestModel, string];
      this.loaded.delete(oldModel);
      await Promise.allSettled(this.workers.map((t) => t.request({ type: 'drop', key: oldKey })));
    }
    return key;
  }

  async voteShares(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array> {
    return this.splitRows(model, rows, n, 'score', 1);
  }

  async contributions(model: ForestModel, rows: Float64Array, n: number): Promise<Float64Array> {
    return this.splitRows(model, rows, n, 'explain', model.width + 1);
  }

  private async splitRows(
    model: ForestModel,
    rows: Float64Array,
    n: number,
    type: 'score' | 'explain',
    outWidth: number,
  ): Promise<Float64Array> {
    const threads = Array.from({ length: this.threads }, (_, i) => this.thread(i));
    const key = await this.ensureLoaded(model, threads);
    const out = new Float64Array(n * outWidth);
    const per = Math.ceil(n / threads.length);
    await Promise.all(
      threads.map(async (t, i) => {
        const from = i * per;
        const to = Math.min(n, from + per);
        if (from >= to) return;
        const slice = rows.slice(from * model.width, to * model.width);
        const res = await t.request({ type, key, rows: slice, count: to - from }, [slice.buffer]);
        if (!res.ok || !res.shares) throw new Error('forest worker returned no scores');
        out.set(res.shares, from * outWidth);
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    this.loaded.clear();
    await Promise.all(workers.map((t) => t.worker.terminate()));
  }
}

/** Worker threads when there is more than one core to use, otherwise this thread. */
export function createForestExecutor(options: { threads?: number } = {}): ForestExecutor {
  const threads = options.threads ?? Math.min(2, availableParallelism());
  return threads > 1 ? new ForestWorkerPool({ threads }) : new InlineForestExecutor();
}
