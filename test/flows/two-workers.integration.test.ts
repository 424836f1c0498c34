/**
 * Two workers (each with its own connection pool, as two processes would have) share the runs of
 * one store: no step of any run ever executes on both at once, and each executes exactly once.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import { fiveStepFlow } from '../../src/flows/samples/five-steps.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { eventually } from '../support/engine-harness.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';

const RUNS = 200;

describeEachStore('two flow workers', (get) => {
  it('never run the same step of the same run at once, and run every step once', async () => {
    const active = new Set<string>();
    const executions = new Map<string, number>();
    const byWorker = new Map<string, number>();
    let overlaps = 0;
    const runtimeFor = (store: Store, worker: string) =>
      new FlowRuntime({
        store,
        clock: systemClock,
        log: silentLog,
        worker,
        leaseMs: 10_000,
        pollMs: 20,
        concurrency: 16,
        registry: new FlowRegistry().register(
          fiveStepFlow({
            name: 'shared',
            effect: async (step, scope) => {
              const id = scope.idempotencyKey;
              if (active.has(id)) overlaps += 1;
              active.add(id);
              executions.set(id, (executions.get(id) ?? 0) + 1);
              byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
              await sleep(Math.random() * 3);
              active.delete(id);
              return step;
            },
          }),
        ),
      });
    const second = await openStore(get().config);
    const a = runtimeFor(get().store, 'worker-a');
    const b = runtimeFor(second, 'worker-b');
    try {
      const ids: number[] = [];
      for (let i = 0; i < RUNS; i++) ids.push((await a.start('shared', { key: `k-${i}` })).runId);
      await Promise.all([a.worker.start(), b.worker.start()]);
      const done = await eventually(async () => (await a.runs.list({ flow: 'shared', status: 'completed' }, RUNS)).length === RUNS, 60_000);
      assert.ok(done, 'every run completed');
      assert.equal(overlaps, 0);
      assert.equal(executions.size, RUNS * 5);
      assert.ok([...executions.values()].every((n) => n === 1), 'each step executed once');
      assert.ok((byWorker.get('worker-a') ?? 0) > 0 && (byWorker.get('worker-b') ?? 0) > 0, `both workers took runs: ${JSON.stringify([...byWorker])}`);
    } finally {
      await Promise.all([a.worker.stop(), b.worker.stop()]);
      await second.close();
    }
  });
});
