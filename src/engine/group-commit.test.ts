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

  it('with keys, never writes items sharing a key side by side nor out of order; an unkeyed item runs alone', async () => {
    const running = new Set<string>();
    const log: string[] = [];
    const release: Array<() => void> = [];
    type Item = { id: string; key?: string };
    const gc = new GroupCommit<Item, string>(
      async (items) => {
        for (const i of items) {
          assert.ok(!running.has(i.key ?? '*'), `${i.id}: its key is being written`);
          if (i.key === undefined) assert.equal(running.size, 0, `${i.id} runs alone`);
        }
        for (const i of items) running.add(i.key ?? '*');
        log.push(items.map((i) => i.id).join(','));
        await new Promise<void>((r) => release.push(r));
        for (const i of items) running.delete(i.key ?? '*');
        return items.map((i) => i.id);
      },
      512,
      0,
      4,
      (i) => (i.key === undefined ? undefined : [i.key]),
    );
    const tick = () => new Promise((r) => setImmediate(r));
    const done = [gc.submit({ id: 'a1', key: 'A' })];
    await tick();
    // While a1 is written: a2 must wait for it, b1 may go, and c1 (behind a2 with key A too) waits.
    done.push(gc.submit({ id: 'a2', key: 'A' }), gc.submit({ id: 'b1', key: 'B' }), gc.submit({ id: 'x', key: undefined }), gc.submit({ id: 'c1', key: 'C' }));
    await tick();
    assert.deepEqual(log, ['a1', 'b1'], 'b1 overtook a2 (another key); x waits for everything before it, c1 behind x');
    release.shift()!(); // a1 done
    await tick();
    assert.deepEqual(log, ['a1', 'b1', 'a2']);
    release.shift()!(); // b1 done
    await tick();
    release.shift()!(); // a2 done: now x may run, alone, with what follows it in the same batch
    await tick();
    assert.deepEqual(log, ['a1', 'b1', 'a2', 'x,c1']);
    release.shift()!();
    assert.deepEqual(await Promise.all(done), ['a1', 'a2', 'b1', 'x', 'c1']);
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
