/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels over typed arrays: every index is in range by construction, and noUncheckedIndexedAccess would otherwise cost a check per cell. */
/**
 * A small seeded generator (mulberry32): the forest must be reproducible from its seed on any
 * machine and in any thread, which Math.random cannot give.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * The seed of tree `index`: derived from the forest seed alone, so a tree is the same whichever
 * worker grows it and in whatever order the trees finish.
 */
export function treeSeed(forestSeed: number, index: number): number {
  let h = (Math.imul(forestSeed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Bootstrap sample of n rows drawn with replacement, as a count per row. */
export function bootstrapCounts(n: number, random: SeededRandom): Uint16Array {
  const counts = new Uint16Array(n);
  for (let i = 0; i < n; i++) counts[random.int(n)]!++;
  return counts;
}
