// Group commit: many concurrent callers, one round trip. Items queued during one turn of the event loop are
// handed to `run` together (at most `maxBatch` at a time, at most `maxConcurrent` batches in flight); each
// caller's promise settles only when its batch has finished, so a token response is sent only after its row
// has committed. A failing batch rejects every caller in it with the same error.

/** A result slot that rejects only its own caller. */
export class ItemFailed {
  constructor(readonly error: unknown) {}
}

export interface BatcherOptions<I, O> {
  /** Runs one batch; returns one result (or ItemFailed) per item, in order. */
  run(items: I[]): Promise<(O | ItemFailed)[]>;
  maxBatch?: number;
  maxConcurrent?: number;
  /**
   * Errors that mean the next batch would fail the same way (the database is unreachable): they also reject
   * everything queued behind the failed batch at once, instead of letting each queued batch wait out its own
   * timeout in turn.
   */
  failsQueued?: (err: unknown) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private scheduled = false;
  private running = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  constructor(private readonly options: BatcherOptions<I, O>) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxConcurrent = options.maxConcurrent ?? 2;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.running >= this.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate: after the I/O callbacks of this loop turn, so requests parsed together share a batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      this.options
        .run(batch.map((w) => w.item))
        .then(
          (results) => {
            for (const [i, w] of batch.entries()) {
              const result = results[i];
              if (result instanceof ItemFailed) w.reject(result.error);
              else w.resolve(result as O);
            }
          },
          (err) => {
            for (const w of batch) w.reject(err);
            if (this.options.failsQueued?.(err)) {
              for (const w of this.queue.splice(0)) w.reject(err);
            }
          },
        )
        .finally(() => {
          this.running--;
          this.schedule();
        });
    }
  }
}
