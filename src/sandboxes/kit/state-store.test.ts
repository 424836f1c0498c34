/**
 * The persisted state store: writes gathered per event-loop turn reach the file in the order
 * the memory has them, with each record's latest value, and nothing pending is lost on close.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { openStateStore } from './state-store.ts';

type Thing = { id: string; n: number };

describe('persisted state store', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const file = (): string => path.join(dir, `state-${++files}.sqlite`);
  const reopened = (at: string): Thing[] => {
    const store = openStateStore(at);
    try {
      return store.collection<Thing>('things').list();
    } finally {
      store.close();
    }
  };

  it('reloads what was written in one turn, in memory order, with each record latest value', () => {
    const at = file();
    const store = openStateStore(at);
    const things = store.collection<Thing>('things');
    things.put('a', { id: 'a', n: 1 });
    things.put('b', { id: 'b', n: 1 });
    things.put('c', { id: 'c', n: 1 });
    things.put('a', { id: 'a', n: 2 });
    things.delete('b');
    things.put('b', { id: 'b', n: 3 });
    things.delete('c');
    const inMemory = things.list();
    store.close();
    assert.deepEqual(reopened(at), inMemory);
    assert.deepEqual(inMemory, [
      { id: 'a', n: 2 },
      { id: 'b', n: 3 },
    ]);
  });

  it('writes a turn on its own, without waiting for close', async () => {
    const at = file();
    const store = openStateStore(at);
    try {
      store.collection<Thing>('things').put('x', { id: 'x', n: 1 });
      await nextTurn();
      assert.deepEqual(reopened(at), [{ id: 'x', n: 1 }]);
      // A replaced record keeps its place across turns, as in memory.
      store.collection<Thing>('things').put('y', { id: 'y', n: 1 });
      store.collection<Thing>('things').put('x', { id: 'x', n: 2 });
      await nextTurn();
      assert.deepEqual(reopened(at), [
        { id: 'x', n: 2 },
        { id: 'y', n: 1 },
      ]);
    } finally {
      store.close();
    }
  });

  it('drops pending writes on reset, so a reset store reloads empty', () => {
    const at = file();
    const store = openStateStore(at);
    store.collection<Thing>('things').put('x', { id: 'x', n: 1 });
    store.reset();
    store.collection<Thing>('things').put('z', { id: 'z', n: 1 });
    store.close();
    assert.deepEqual(reopened(at), [{ id: 'z', n: 1 }]);
  });
});
