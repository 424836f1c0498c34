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
  readonly #keysOf: ((item: I) => readonly string[] | undefined) | undefined;
  #queue: Pending<I, R>[] = [];
  #writing = 0;
  /** Keys of the batches being written (how many hold each). */
  readonly #busyKeys = new Map<string, number>();
  /** A batch with an unkeyed item is being written: nothing may run beside it. */
  #exclusive = false;
  #scheduled = false;
  #idle: Array<() => void> = [];

  /**
   * @param maxBatch most items in one write
   * @param windowMs how long the first item of a batch waits for company. A synchronous driver
   *   blocks the event loop while it commits, so no batch can fill *during* a commit; a short
   *   window lets concurrent requests share one commit instead.
   * @param parallel how many batches may be written at once. 1 (the default) writes batches in
   *   submission order; independent items (delivery outcomes) may overlap one batch's round trips
   *   to the database with the next one's.
   * @param keysOf with `parallel` > 1, the keys that order an item: an item never goes into a
   *   batch beside one holding any of its keys, nor ahead of an earlier item sharing one, so items
   *   with a common key are written one batch after the other in submission order. An item
   *   without keys (`undefined`) is ordered after everything: its batch runs alone.
   */
  constructor(write: BatchWriter<I, R>, maxBatch = 512, windowMs = 0, parallel = 1, keysOf?: (item: I) => readonly string[] | undefined) {
    this.#write = write;
    this.#maxBatch = maxBatch;
    this.#windowMs = windowMs;
    this.#parallel = parallel;
    this.#keysOf = keysOf;
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
    while (this.#queue.length > 0 && this.#writing < this.#parallel && !this.#exclusive) {
      const batch = this.#take();
      if (batch === undefined) break;
      void this.#writeBatch(batch.items, batch.keys, batch.exclusive);
    }
  }

  /** The next batch that may be written now, or undefined if every queued item must wait. */
  #take(): { items: Pending<I, R>[]; keys: string[]; exclusive: boolean } | undefined {
    const keysOf = this.#keysOf;
    if (keysOf === undefined || this.#parallel === 1) return { items: this.#queue.splice(0, this.#maxBatch), keys: [], exclusive: false };
    const items: Pending<I, R>[] = [];
    const kept: Pending<I, R>[] = [];
    const keys = new Set<string>();
    const held = new Set<string>();
    let exclusive = false;
    let holdRest = false;
    for (const p of this.#queue) {
      if (holdRest || items.length >= this.#maxBatch) {
        kept.push(p);
        continue;
      }
      const own = keysOf(p.item);
      if (own === undefined) {
        // Ordered after everything: only with nothing in flight and nothing held back before it.
        if (this.#writing === 0 && kept.length === 0) {
          items.push(p);
          exclusive = true;
        } else {
          kept.push(p);
          holdRest = true;
        }
        continue;
      }
      if (own.some((k) => this.#busyKeys.has(k) || held.has(k))) {
        kept.push(p);
        for (const k of own) held.add(k);
        continue;
      }
      items.push(p);
      for (const k of own) keys.add(k);
    }
    if (items.length === 0) return undefined;
    this.#queue = kept;
    return { items, keys: [...keys], exclusive };
  }

  async #writeBatch(batch: Pending<I, R>[], keys: readonly string[] = [], exclusive = false): Promise<void> {
    this.#writing += 1;
    this.#exclusive ||= exclusive;
    for (const k of keys) this.#busyKeys.set(k, (this.#busyKeys.get(k) ?? 0) + 1);
    try {
      const results = await this.#write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#writing -= 1;
      if (exclusive) this.#exclusive = false;
      for (const k of keys) {
        const n = this.#busyKeys.get(k)! - 1;
        if (n === 0) this.#busyKeys.delete(k);
        else this.#busyKeys.set(k, n);
      }
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
