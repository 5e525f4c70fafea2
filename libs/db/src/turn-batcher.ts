/**
 * Coalesces the calls made in one event-loop turn into one call of `run` with all of their inputs: a worker running
 * 64 jobs at once pays one multi-row SQL statement per step instead of 64 (the rate limiter batches its Redis checks
 * the same way). `run` answers with one output per input, in order.
 *
 * A multi-row statement either applies all its rows or none, so when a batch fails each input is run again on its
 * own: one bad row fails only its own caller.
 */
export class TurnBatcher<I, O> {
  private pending: Array<{ input: I; resolve: (out: O) => void; reject: (err: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch = 256,
  ) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.execute(batch.map((b) => b.input)).then(
      (outs) => batch.forEach((b, i) => b.resolve(outs[i] as O)),
      (err: unknown) => {
        if (batch.length === 1) batch[0]?.reject(err);
        else for (const b of batch) this.execute([b.input]).then((outs) => b.resolve(outs[0] as O), b.reject);
      },
    );
  }

  private async execute(inputs: I[]): Promise<O[]> {
    const outs = await this.run(inputs);
    if (outs.length !== inputs.length) throw new Error(`batch answered ${outs.length} results for ${inputs.length} inputs`);
    return outs;
  }
}
