/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PlattCalibration } from './calibration';
import type { FeatureSpec } from './feature-encoding';
import { ForestModel, type ForestNodes, type ModelInfo } from './forest-model';

/**
 * Model file layout (then gzipped), little-endian:
 *   "RCPF" | u16 format version | u16 0 | u32 header length | header JSON (utf-8)
 *   roots i32[trees] | feature i16[nodes] | bin u8[nodes] | missingLeft u8[nodes]
 *   right offset i32[nodes] (right child minus node index; 0 at leaves) | value f32[nodes]
 * A node is 12 bytes before compression; thresholds are not stored per node but as each
 * feature's cut points in the header (a node keeps the bin index), which is lossless.
 */
export const MODEL_FILE_MAGIC = 'RCPF';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE_EXTENSION = '.forest';

interface Header {
  info: ModelInfo;
  features: FeatureSpec[];
  calibration: PlattCalibration;
  metadata: Record<string, unknown>;
  cuts: number[][];
  trees: number;
  nodes: number;
}

export interface SerializeOptions {
  /**
   * gzip level. 9 (the default: the shipped model's bytes) spends about ten times the CPU of 6 for a file 3% smaller:
   * writing a 100-tree model of 24,000 rows takes seconds at 9 (apps/prediction README, bench:train).
   */
  level?: number;
}

export function serializeModel(model: ForestModel, options: SerializeOptions = {}): Buffer {
  const nodes = model.nodes;
  const trees = nodes.roots.length;
  const count = nodes.feature.length;
  const header: Header = {
    info: model.info,
    features: [...model.features],
    calibration: model.calibration,
    metadata: model.metadata,
    cuts: model.cuts.map((c) => Array.from(c)),
    trees,
    nodes: count,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const body = Buffer.alloc(12 + json.length + trees * 4 + count * (2 + 1 + 1 + 4 + 4));
  body.write(MODEL_FILE_MAGIC, 0, 'latin1');
  body.writeUInt16LE(MODEL_FORMAT_VERSION, 4);
  body.writeUInt16LE(0, 6);
  body.writeUInt32LE(json.length, 8);
  json.copy(body, 12);
  let at = 12 + json.length;
  for (let t = 0; t < trees; t++, at += 4) body.writeInt32LE(nodes.roots[t]!, at);
  for (let i = 0; i < count; i++, at += 2) body.writeInt16LE(nodes.feature[i]!, at);
  for (let i = 0; i < count; i++, at++) body[at] = nodes.bin[i]!;
  for (let i = 0; i < count; i++, at++) body[at] = nodes.missingLeft[i]!;
  for (let i = 0; i < count; i++, at += 4) body.writeInt32LE(nodes.feature[i]! >= 0 ? nodes.right[i]! - i : 0, at);
  for (let i = 0; i < count; i++, at += 4) body.writeFloatLE(nodes.value[i]!, at);
  return gzipSync(body, { level: options.level ?? 9 });
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export function deserializeModel(file: Buffer): ForestModel {
  let body: Buffer;
  try {
    body = gunzipSync(file);
  } catch (err) {
    throw new ModelFileError(`not a gzipped model file: ${(err as Error).message}`);
  }
  if (body.length < 12 || body.toString('latin1', 0, 4) !== MODEL_FILE_MAGIC) throw new ModelFileError('not a Recoup forest model file');
  const format = body.readUInt16LE(4);
  if (format !== MODEL_FORMAT_VERSION)
    throw new ModelFileError(`model format ${format} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  const jsonLength = body.readUInt32LE(8);
  const header = JSON.parse(body.toString('utf8', 12, 12 + jsonLength)) as Header;
  const { trees, nodes: count } = header;
  const expected = 12 + jsonLength + trees * 4 + count * 12;
  if (body.length !== expected) throw new ModelFileError(`model file is ${body.length} bytes, expected ${expected}: truncated or corrupt`);
  let at = 12 + jsonLength;
  const nodes: ForestNodes = {
    roots: new Int32Array(trees),
    feature: new Int32Array(count),
    bin: new Uint8Array(count),
    missingLeft: new Uint8Array(count),
    right: new Int32Array(count),
    value: new Float32Array(count),
  };
  for (let t = 0; t < trees; t++, at += 4) nodes.roots[t] = body.readInt32LE(at);
  for (let i = 0; i < count; i++, at += 2) nodes.feature[i] = body.readInt16LE(at);
  nodes.bin.set(body.subarray(at, at + count));
  at += count;
  nodes.missingLeft.set(body.subarray(at, at + count));
  at += count;
  for (let i = 0; i < count; i++, at += 4) nodes.right[i] = nodes.feature[i]! >= 0 ? body.readInt32LE(at) + i : 0;
  for (let i = 0; i < count; i++, at += 4) nodes.value[i] = body.readFloatLE(at);
  for (let i = 0; i < count; i++) {
    const f = nodes.feature[i]!;
    if (f >= header.features.length || (f >= 0 && (nodes.right[i]! <= i + 1 || nodes.right[i]! >= count)))
      throw new ModelFileError(`node ${i} is corrupt`);
  }
  return new ForestModel({
    features: header.features,
    cuts: header.cuts.map((c) => Float64Array.from(c)),
    nodes,
    calibration: header.calibration,
    info: header.info,
    metadata: header.metadata,
  });
}

/** Writes to a temporary name and renames, so a reader never sees half a file. */
export async function writeModelFile(file: string, model: ForestModel, options: SerializeOptions = {}): Promise<number> {
  const bytes = serializeModel(model, options);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return bytes.length;
}

export async function readModelFile(file: string): Promise<ForestModel> {
  return deserializeModel(await readFile(file));
}
