import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { defineFlow } from '../../flows/define-flow.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { unique } from '../../../test/flows/flow-harness.ts';
import type { Store } from '../../store/store.ts';
import { Journal } from './journal.ts';
import type { StepRow } from './run-rows.ts';
import { claimRuns, startRuns } from './runs.ts';

const LEASE_MS = 30_000;

function entry(runId: number, name: string, result: string, now: number): StepRow {
  return { run_id: runId, name, seq: 1, kind: 'run', status: 'completed', attempts: 1, result, error: null, due_at: null, wait: null, started_at: now, ended_at: now, trace_id: null };
}

async function claimed(store: Store, worker: string, n: number, now: number): Promise<number[]> {
  const flow = defineFlow({ name: unique('journal'), version: 1, run: async () => null });
  await store.transaction((trx) => startRuns(trx, Array.from({ length: n }, (_, i) => ({ flow, key: `k${i}`, input: { i } })), now));
  const runs = await claimRuns(store, worker, n, now, LEASE_MS);
  assert.equal(runs.length, n);
  return runs.map((r) => r.run.id);
}

async function runRow(store: Store, id: number) {
  return store.db.selectFrom('flow_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describeEachStore('flow journal', (get) => {
  it('writes the entries, references and run changes of a batch, and nothing for a run another worker took over', async () => {
    const { store } = get();
    const clock = new ManualClock(1_000_000);
    const [mine, lost] = await claimed(store, 'a', 2, clock.now()) as [number, number];
    const journal = new Journal({ store, clock, worker: 'a', leaseMs: LEASE_MS });
    journal.held(mine, clock.now() + LEASE_MS);
    journal.held(lost, clock.now() + LEASE_MS);
    // Worker b took the second run over (its lease had expired, say).
    await store.db.updateTable('flow_runs').set({ lease_owner: 'b' }).where('id', '=', lost).execute();
    const big = JSON.stringify({ text: 'quotes " and \\ backslashes, ünïcödé', n: [1, 2.5, -3e-7] });
    const [a, b] = await Promise.all([
      journal.write({
        runId: mine,
        steps: [entry(mine, 'one', big, clock.now())],
        refs: [{ system: 'salesforce', type: 'Opportunity', external_id: `006${mine}`, run_id: mine, step: 'one', relation: 'wrote', at: clock.now() }],
        run: { status: 'completed', output: '"ok"', wake_at: null, ended_at: clock.now(), release: true },
      }),
      journal.write({
        runId: lost,
        steps: [entry(lost, 'one', '1', clock.now())],
        refs: [{ system: 'salesforce', type: 'Opportunity', external_id: `006${lost}`, run_id: lost, step: 'one', relation: 'wrote', at: clock.now() }],
        run: { status: 'completed', output: '"no"', release: true },
      }),
    ]);
    assert.deepEqual(a, { owned: true, status: 'completed' });
    assert.deepEqual(b, { owned: false, status: undefined });
    const steps = await store.db.selectFrom('flow_steps').select(['run_id', 'name', 'result']).where('run_id', 'in', [mine, lost]).execute();
    assert.deepEqual(steps.map((s) => [Number(s.run_id), s.name, s.result]), [[mine, 'one', big]]);
    const refs = await store.db.selectFrom('lineage_refs').select('run_id').where('run_id', 'in', [mine, lost]).execute();
    assert.deepEqual(refs.map((r) => Number(r.run_id)), [mine]);
    const done = await runRow(store, mine);
    assert.equal(done.status, 'completed');
    assert.equal(done.output, '"ok"');
    assert.equal(done.lease_owner, null);
    assert.equal(done.lease_until, null);
    assert.equal(done.wake_at, null);
    assert.equal(Number(done.ended_at), clock.now());
    const other = await runRow(store, lost);
    assert.equal(other.status, 'running');
    assert.equal(other.lease_owner, 'b');
    assert.equal(other.output, null);
  });

  it('only checks a lease with more than half its time to go, and renews one that is half gone', async () => {
    const { store } = get();
    const clock = new ManualClock(2_000_000);
    const [id] = await claimed(store, 'a', 1, clock.now()) as [number];
    const journal = new Journal({ store, clock, worker: 'a', leaseMs: LEASE_MS });
    journal.held(id, clock.now() + LEASE_MS);
    const claimedUntil = Number((await runRow(store, id)).lease_until);

    clock.advance(LEASE_MS / 4);
    assert.equal((await journal.write({ runId: id, steps: [entry(id, 'one', '1', clock.now())] })).owned, true);
    let row = await runRow(store, id);
    assert.equal(Number(row.lease_until), claimedUntil, 'a fresh lease is not rewritten');
    assert.equal(Number(row.updated_at), 2_000_000);

    clock.advance(LEASE_MS / 2);
    assert.equal((await journal.write({ runId: id, steps: [entry(id, 'two', '2', clock.now())] })).owned, true);
    row = await runRow(store, id);
    assert.equal(Number(row.lease_until), clock.now() + LEASE_MS, 'a lease half gone is renewed');
    assert.equal(Number(row.wake_at), clock.now() + LEASE_MS);

    // A change that names some columns leaves the others as they were.
    clock.advance(1);
    await journal.write({ runId: id, run: { status: 'waiting', waiting_for: 'thing.happened', wake_at: null, release: true } });
    row = await runRow(store, id);
    assert.equal(row.status, 'waiting');
    assert.equal(row.waiting_for, 'thing.happened');
    assert.equal(row.wake_at, null);
    assert.equal(row.lease_owner, null);
    assert.equal(row.error, null);
    assert.equal(row.ended_at, null);
    assert.equal(Number(row.updated_at), clock.now());
    const names = await store.db.selectFrom('flow_steps').select('name').where('run_id', '=', id).orderBy('name').execute();
    assert.deepEqual(names.map((n) => n.name), ['one', 'two']);
  });
});
