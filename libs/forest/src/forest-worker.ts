import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pathContributionRows, voteShares, type ForestArrays } from './forest-scoring';
import { growTree, type BinnedTable, type GrownTree, type TreeParams } from './tree-grower';

/** workerData flag that makes a bundled entry file serve forest tasks instead of starting the app. */
export const FOREST_WORKER_FLAG = 'recoupForestWorker';

export type WorkerRequest =
  | { id: number; type: 'table'; key: string; table: BinnedTable }
  | { id: number; type: 'grow'; key: string; params: TreeParams; seed: number }
  | { id: number; type: 'model'; key: string; arrays: ForestArrays; width: number }
  | { id: number; type: 'score'; key: string; rows: Float64Array; count: number }
  | { id: number; type: 'explain'; key: string; rows: Float64Array; count: number }
  | { id: number; type: 'drop'; key: string };

export type WorkerResponse = { id: number; ok: true; tree?: GrownTree; shares?: Float64Array } | { id: number; ok: false; error: string };

/** A worker's state: the tables and models it holds, by key. */
export class ForestWorkerState {
  private readonly tables = new Map<string, BinnedTable>();
  private readonly models = new Map<string, { arrays: ForestArrays; width: number }>();

  handle(msg: WorkerRequest): { response: WorkerResponse; transfer: ArrayBuffer[] } {
    switch (msg.type) {
      case 'table':
        this.tables.set(msg.key, msg.table);
        return { response: { id: msg.id, ok: true }, transfer: [] };
      case 'model':
        this.models.set(msg.key, { arrays: msg.arrays, width: msg.width });
        return { response: { id: msg.id, ok: true }, transfer: [] };
      case 'drop':
        this.tables.delete(msg.key);
        this.models.delete(msg.key);
        return { response: { id: msg.id, ok: true }, transfer: [] };
      case 'grow': {
        const table = this.tables.get(msg.key);
        if (!table) throw new Error(`no table ${msg.key} in this worker`);
        const tree = growTree(table, msg.params, msg.seed);
        const transfer = [
          tree.feature.buffer,
          tree.bin.buffer,
          tree.missingLeft.buffer,
          tree.right.buffer,
          tree.value.buffer,
        ] as ArrayBuffer[];
        return { response: { id: msg.id, ok: true, tree }, transfer };
      }
      case 'explain': {
        const model = this.models.get(msg.key);
        if (!model) throw new Error(`no model ${msg.key} in this worker`);
        const shares = pathContributionRows(model.arrays, model.width, msg.rows, 0, msg.count);
        return { response: { id: msg.id, ok: true, shares }, transfer: [shares.buffer as ArrayBuffer] };
      }
      case 'score': {
        const model = this.models.get(msg.key);
        if (!model) throw new Error(`no model ${msg.key} in this worker`);
        const shares = new Float64Array(msg.count);
        voteShares(model.arrays, msg.rows, model.width, 0, msg.count, shares);
        return { response: { id: msg.id, ok: true, shares }, transfer: [shares.buffer as ArrayBuffer] };
      }
    }
  }
}

/** Runs the message loop of a forest worker thread. */
export function serveForestWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveForestWorker must run in a worker thread');
  const state = new ForestWorkerState();
  port.on('message', (msg: WorkerRequest) => {
    try {
      const { response, transfer } = state.handle(msg);
      port.postMessage(response, transfer);
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, error: (err as Error).message } satisfies WorkerResponse);
    }
  });
}

/** True in a worker thread started by ForestWorkerPool on a bundled entry file. */
export function isForestWorkerThread(): boolean {
  return !isMainThread && Boolean((workerData as Record<string, unknown> | undefined)?.[FOREST_WORKER_FLAG]);
}
