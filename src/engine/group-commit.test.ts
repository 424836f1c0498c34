import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.ts';

describe('GroupCommit', () => {
  it('groups items submitted together into one batch and answers each with its own result', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((i) => i * 2);
    });
    const results = await Promise.all([1, 2, 3].map((i) => gc.submit(i)));
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('fills the next batch while one is being written, never running two writes at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const sizes: number[] = [];
    const gc = new GroupCommit<number, void>(async (items) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      return items.map(() => undefined);
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    assert.equal(maxRunning, 1);
    assert.deepEqual(sizes, [4, 4, 2]);
  });

  it('with parallel writes, starts a batch for what arrives while another is being written, up to the limit', async () => {
    let running = 0;
    let maxRunning = 0;
    const release: Array<() => void> = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((r) => release.push(r));
      running -= 1;
      return [...items];
    }, 512, 0, 2);
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = gc.submit(2);
    await new Promise((r) => setImmediate(r));
    const third = [gc.submit(3), gc.submit(4)];
    await new Promise((r) => setImmediate(r));
    assert.equal(release.length, 2, 'two batches in flight, the third waits');
    release[0]!();
    assert.equal(await first, 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(release.length, 3, 'the waiting items go as soon as a slot is free, as one batch');
    release[1]!();
    release[2]!();
    assert.deepEqual(await Promise.all([second, ...third]), [2, 3, 4]);
    assert.equal(maxRunning, 2);
    await gc.drain();
  });

  it('fails every item of a batch whose write throws, and keeps working afterwards', async () => {
    let fail = true;
    const gc = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('disk full');
      return [...items];
    });
    await assert.rejects(Promise.all([gc.submit(1), gc.submit(2)]), /disk full/);
    fail = false;
    assert.equal(await gc.submit(3), 3);
  });
});
