import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../core/clock.ts';
import { defineFlow } from '../../flows/define-flow.ts';
import { silentLog } from '../../../test/support/engine-fixtures.ts';
import { eventually } from '../../../test/support/engine-harness.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { unique } from '../../../test/flows/flow-harness.ts';
import { FlowRegistry } from './registry.ts';
import { FlowRuntime } from './runtime.ts';
import type { FlowDefinition } from '../../flows/define-flow.ts';
import type { Store } from '../../store/store.ts';

function runtime(store: Store, flow: FlowDefinition, worker: string, leaseMs = 30_000): FlowRuntime {
  return new FlowRuntime({ store, clock: systemClock, log: silentLog, registry: new FlowRegistry().register(flow), worker, leaseMs, pollMs: 20 });
}

describeEachStore('flow worker', (get) => {
  it('keeps a run\'s lease while one step runs longer than the lease', async () => {
    const name = unique('slow');
    let executions = 0;
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        return ctx.step.run('slow', async () => {
          executions += 1;
          await sleep(900);
          return 'done';
        });
      },
    });
    const a = runtime(get().store, flow, 'a', 300);
    const b = runtime(get().store, flow, 'b', 300);
    const { runId } = await a.start(name, { key: 'k' });
    await a.worker.start();
    await eventually(() => executions === 1, 5000);
    try {
      // The other worker keeps looking while the step runs three leases long.
      assert.ok(await eventually(async () => (await b.worker.runDue(), (await a.runs.get(runId)).status === 'completed'), 10_000));
      assert.equal(executions, 1);
    } finally {
      await a.worker.stop();
    }
  });

  it('a stopping worker finishes the step it is in and hands the run back before the next', async () => {
    const name = unique('handback');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.run('one', async () => {
          ran.push('one');
          await gate;
        });
        await ctx.step.run('two', () => void ran.push('two'));
        return 'ok';
      },
    });
    const first = runtime(get().store, flow, 'first');
    const { runId } = await first.start(name, { key: 'k' });
    await first.worker.start();
    assert.ok(await eventually(() => ran.length === 1, 5000));
    const stopped = first.worker.stop();
    release();
    await stopped;
    const handed = await first.runs.get(runId);
    assert.equal(handed.status, 'running');
    assert.deepEqual(handed.steps.map((s) => s.name), ['one']);
    const second = runtime(get().store, flow, 'second');
    await second.worker.runDue();
    assert.equal((await second.runs.get(runId)).status, 'completed');
    assert.deepEqual(ran, ['one', 'two']);
  });
});
