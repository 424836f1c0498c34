/**
 * A k-way merge join of key-sorted streams: yields, for each business key, the records every side
 * holds under it. Sides arrive in batches and groups leave in batches, so the only awaits are at
 * batch edges and a million keys cost no million promise round trips. Memory is one batch per
 * side plus one batch of groups, whatever the sides' sizes. A side that goes backwards is a bug
 * in its reader and fails the run.
 */
import { InterlockError } from '../../core/errors.ts';
import { compareKeys, type Projection } from './projection.ts';

/** The records of one key, per side (index of the side in the input). */
export interface KeyGroup {
  key: string;
  bySide: Projection[][];
}

/** One input of the join: a name for errors and key-sorted batches. */
export interface JoinInput {
  name: string;
  batches: AsyncIterable<readonly Projection[]>;
}

class Cursor {
  readonly #it: AsyncIterator<readonly Projection[]>;
  readonly #name: string;
  #buf: readonly Projection[] = [];
  #pos = 0;
  #last: string | undefined;
  done = false;

  constructor(input: JoinInput) {
    this.#it = input.batches[Symbol.asyncIterator]();
    this.#name = input.name;
  }

  /** Whether the next record is buffered (or the side is done); false means await {@link fill}. */
  get ready(): boolean {
    return this.done || this.#pos < this.#buf.length;
  }

  async fill(): Promise<void> {
    while (!this.done && this.#pos >= this.#buf.length) {
      const next = await this.#it.next();
      if (next.done === true) this.done = true;
      else {
        this.#buf = next.value;
        this.#pos = 0;
      }
    }
  }

  /** The next record, when {@link ready}. */
  get head(): Projection | undefined {
    return this.#buf[this.#pos];
  }

  take(): Projection {
    const record = this.#buf[this.#pos++] as Projection;
    if (this.#last !== undefined && compareKeys(record.key, this.#last) < 0) {
      throw new InterlockError('unexpected', `side ${this.#name} is not sorted by business key: "${record.key}" came after "${this.#last}"`);
    }
    this.#last = record.key;
    return record;
  }
}

/** Groups a record-at-a-time stream into batches (for readers that yield single records). */
export async function* batched(records: AsyncIterable<Projection>, size = 500): AsyncGenerator<Projection[]> {
  let batch: Projection[] = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Merges `inputs` (each sorted ascending by key) into batches of key groups. */
export async function* mergeJoin(inputs: readonly JoinInput[], groupsPerBatch = 1000): AsyncGenerator<KeyGroup[]> {
  const cursors = inputs.map((i) => new Cursor(i));
  let out: KeyGroup[] = [];
  for (;;) {
    for (const c of cursors) if (!c.ready) await c.fill();
    let key: string | undefined;
    for (const c of cursors) {
      const head = c.head;
      if (head !== undefined && (key === undefined || compareKeys(head.key, key) < 0)) key = head.key;
    }
    if (key === undefined) break;
    const bySide: Projection[][] = [];
    for (const c of cursors) {
      const group: Projection[] = [];
      for (;;) {
        if (!c.ready) await c.fill();
        if (c.head?.key !== key) break;
        group.push(c.take());
      }
      bySide.push(group);
    }
    out.push({ key, bySide });
    if (out.length >= groupsPerBatch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
