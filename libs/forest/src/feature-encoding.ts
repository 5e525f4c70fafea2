/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
/** A raw cell as it arrives from a CSV, a JSON body or the database. */
export type RawValue = string | number | boolean | null | undefined;

/**
 * How one feature becomes a number. Categories are ordered by their positive rate in the
 * training data, so a single threshold on the code separates them as well as any subset
 * split would (Breiman et al. 1984, for two classes); an unseen category counts as missing.
 */
export type FeatureSpec = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; categories: string[] };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isMissing(v: RawValue): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));
}

function toNumber(v: RawValue): number {
  if (isMissing(v)) return NaN;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = String(v).trim();
  return NUMBER.test(s) ? Number(s) : NaN;
}

/** Whether every present value of a column reads as a number (or a boolean). */
export function isNumericColumn(values: readonly RawValue[]): boolean {
  for (const v of values) {
    if (isMissing(v) || typeof v === 'number' || typeof v === 'boolean') continue;
    if (!NUMBER.test(String(v).trim())) return false;
  }
  return true;
}

/** Category codes ordered by positive rate (then by name, for determinism). */
export function orderCategories(values: readonly RawValue[], labels: ArrayLike<number>): string[] {
  const stats = new Map<string, { n: number; pos: number }>();
  values.forEach((v, i) => {
    if (isMissing(v)) return;
    const key = String(v).trim();
    const s = stats.get(key) ?? { n: 0, pos: 0 };
    s.n++;
    s.pos += labels[i] ? 1 : 0;
    stats.set(key, s);
  });
  return [...stats.entries()].sort(([a, x], [b, y]) => x.pos / x.n - y.pos / y.n || (a < b ? -1 : a > b ? 1 : 0)).map(([k]) => k);
}

/** Decides each column's kind from its values (unless forced) and fits category orders. */
export function fitFeatureSpecs(
  columns: ReadonlyArray<{ name: string; values: readonly RawValue[]; kind?: 'numeric' | 'categorical' }>,
  labels: ArrayLike<number>,
): FeatureSpec[] {
  return columns.map((c) => {
    const kind = c.kind ?? (isNumericColumn(c.values) ? 'numeric' : 'categorical');
    return kind === 'numeric' ? { name: c.name, kind } : { name: c.name, kind, categories: orderCategories(c.values, labels) };
  });
}

/** Turns records into the row-major Float64Array the forest reads, NaN for missing. */
export class FeatureEncoder {
  private readonly codes: Array<Map<string, number> | undefined>;

  constructor(readonly specs: readonly FeatureSpec[]) {
    this.codes = specs.map((s) => (s.kind === 'categorical' ? new Map(s.categories.map((c, i) => [c, i])) : undefined));
  }

  get width(): number {
    return this.specs.length;
  }

  encodeValue(feature: number, v: RawValue): number {
    const codes = this.codes[feature];
    if (!codes) return toNumber(v);
    if (isMissing(v)) return NaN;
    return codes.get(String(v).trim()) ?? NaN;
  }

  encode(record: Readonly<Record<string, RawValue>>, out = new Float64Array(this.specs.length), offset = 0): Float64Array {
    for (let f = 0; f < this.specs.length; f++) out[offset + f] = this.encodeValue(f, record[this.specs[f]!.name]);
    return out;
  }

  encodeMany(records: ReadonlyArray<Readonly<Record<string, RawValue>>>): Float64Array {
    const p = this.specs.length;
    const out = new Float64Array(records.length * p);
    records.forEach((r, i) => this.encode(r, out, i * p));
    return out;
  }

  /** Encodes columns (as read from a CSV) into rows. */
  encodeColumns(columns: ReadonlyArray<readonly RawValue[]>, rows: number): Float64Array {
    const p = this.specs.length;
    const out = new Float64Array(rows * p);
    for (let f = 0; f < p; f++) {
      const col = columns[f]!;
      for (let r = 0; r < rows; r++) out[r * p + f] = this.encodeValue(f, col[r]);
    }
    return out;
  }
}
