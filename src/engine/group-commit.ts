/**
 * Group commit: callers submit items one by one and each waits for its own result, while the
 * writes happen in as few transactions as load allows. While one batch commits, the next one
 * fills up; so under load each fsync covers many items, and when idle an item is written at once.
 * Nobody is answered before the transaction holding their item has committed.
 */

/** Writes a batch; returns one result per item, in order. Throwing fails every item of the batch. */
export type BatchWriter<I, R> = (items: readonly I[]) => Promise<readonly R[]>;

interface Pending<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/** A queue of items written in grouped batches, one batch at a time unless told otherwise. */
export class GroupCommit<I, R> {
  readonly #write: BatchWriter<I, R>;
  readonly #maxBatch: number;
  readonly #windowMs: number;
  readonly #parallel: number;
  #queue: Pending<I, R>[] = [];
  #writing = 0;
  #scheduled = false;
  #idle: Array<() => void> = [];

  /**
   * @param maxBatch most items in one write
   * @param windowMs how long the first item of a batch waits for company. A synchronous driver
   *   blocks the event loop while it commits, so no batch can fill *during* a commit; a short
   *   window lets concurrent requests share one commit instead.
   * @param parallel how many batches may be written at once. 1 (the default) keeps batches in
   *   submission order, which the inbox needs; independent items (delivery outcomes) may overlap
   *   one batch's round trips to the database with the next one's.
   */
  constructor(write: BatchWriter<I, R>, maxBatch = 512, windowMs = 0, parallel = 1) {
    this.#write = write;
    this.#maxBatch = maxBatch;
    this.#windowMs = windowMs;
    this.#parallel = parallel;
  }

  /** Queues `item`; resolves with its result once its batch has committed. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when everything submitted so far has been written (or has failed). */
  drain(): Promise<void> {
    if (this.#writing === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#writing >= this.#parallel || this.#scheduled) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      this.#startBatches();
    };
    // At least the rest of this turn of the event loop, so requests parsed together share a batch.
    if (this.#windowMs > 0) setTimeout(go, this.#windowMs);
    else setImmediate(go);
  }

  #startBatches(): void {
    while (this.#queue.length > 0 && this.#writing < this.#parallel) {
      void this.#writeBatch(this.#queue.splice(0, this.#maxBatch));
    }
  }

  async #writeBatch(batch: Pending<I, R>[]): Promise<void> {
    this.#writing += 1;
    try {
      const results = await this.#write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#writing -= 1;
      // What queued while this batch was written goes next, at once: it has waited already.
      this.#startBatches();
      if (this.#writing === 0 && this.#queue.length === 0) {
        const idle = this.#idle;
        this.#idle = [];
        for (const resolve of idle) resolve();
      }
    }
  }
}
