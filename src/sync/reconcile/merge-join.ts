/**
 * A k-way merge join of key-sorted streams: yields, for each business key, the records every side
 * holds under it. Memory is one look-ahead record per side plus the current key's group, whatever
 * the sides' sizes. A side that goes backwards is a bug in its reader and fails the run.
 */
import { InterlockError } from '../../core/errors.ts';
import { compareKeys, type Projection } from './projection.ts';

/** The records of one key, per side (index of the side in the input). */
export interface KeyGroup {
  key: string;
  bySide: Projection[][];
}

interface Cursor {
  it: AsyncIterator<Projection>;
  head: Projection | undefined;
  last: string | undefined;
  name: string;
}

async function advance(c: Cursor): Promise<void> {
  const next = await c.it.next();
  c.head = next.done === true ? undefined : next.value;
  if (c.head === undefined) return;
  if (c.last !== undefined && compareKeys(c.head.key, c.last) < 0) {
    throw new InterlockError('unexpected', `side ${c.name} is not sorted by business key: "${c.head.key}" came after "${c.last}"`);
  }
  c.last = c.head.key;
}

/** Merges `sides` (each sorted ascending by key) into one stream of key groups. */
export async function* mergeJoin(sides: ReadonlyArray<{ name: string; records: AsyncIterable<Projection> }>): AsyncGenerator<KeyGroup> {
  const cursors: Cursor[] = sides.map((s) => ({ it: s.records[Symbol.asyncIterator](), head: undefined, last: undefined, name: s.name }));
  await Promise.all(cursors.map(advance));
  for (;;) {
    let key: string | undefined;
    for (const c of cursors) if (c.head !== undefined && (key === undefined || compareKeys(c.head.key, key) < 0)) key = c.head.key;
    if (key === undefined) return;
    const bySide: Projection[][] = [];
    for (const c of cursors) {
      const group: Projection[] = [];
      while (c.head !== undefined && c.head.key === key) {
        group.push(c.head);
        await advance(c);
      }
      bySide.push(group);
    }
    yield { key, bySide };
  }
}
