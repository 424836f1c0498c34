import assert from 'node:assert/strict';
import { it } from 'node:test';
import { permanentError, transientError } from '../../core/errors.ts';
import { defineFlow } from '../../flows/define-flow.ts';
import { testRuntime, unique } from '../../../test/flows/flow-harness.ts';
import { describeEachStore } from '../../../test/support/stores.ts';

/** A flow of three undoable steps and a fourth that fails as `fail` says. */
function sagaFlow(name: string, log: string[], fail: () => never, undoFails: (step: string, attempt: number) => void = () => undefined) {
  return defineFlow({
    name,
    version: 1,
    retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 1000 },
    async run(ctx) {
      for (const step of ['customer', 'order', 'subscription']) {
        await ctx.step.run(step, () => (log.push(`do ${step}`), `${step}-id`), {
          compensate: (result, scope) => {
            log.push(`undo ${step} ${String(result)}`);
            undoFails(step, scope.attempt);
          },
        });
      }
      await ctx.step.run('invoice', () => {
        log.push('do invoice');
        fail();
      });
    },
  });
}

describeEachStore('flow compensation', (get) => {
  it('retries a transient step failure with backoff, then compensates in reverse order after it gives up', async () => {
    const name = unique('saga');
    const log: string[] = [];
    const { rt, clock } = testRuntime(get().store, [sagaFlow(name, log, () => { throw transientError('ERP is down'); })]);
    const { runId } = await rt.start(name, { key: 'opp-1' });
    await rt.worker.runDue();
    let run = await rt.runs.get(runId);
    assert.equal(run.status, 'running');
    assert.equal(run.steps.find((s) => s.name === 'invoice')?.status, 'retrying');
    // Backoff is at most a second: nothing happens before time moves.
    for (let i = 0; i < 2; i++) {
      clock.advance(1000);
      await rt.worker.runDue();
    }
    run = await rt.runs.get(runId);
    assert.equal(run.status, 'compensated');
    assert.deepEqual(log, [
      'do customer', 'do order', 'do subscription', 'do invoice', 'do invoice', 'do invoice',
      'undo subscription subscription-id', 'undo order order-id', 'undo customer customer-id',
    ]);
    assert.deepEqual(run.steps.map((s) => [s.name, s.status]), [
      ['customer', 'completed'], ['order', 'completed'], ['subscription', 'completed'], ['invoice', 'failed'],
      ['compensate:subscription', 'completed'], ['compensate:order', 'completed'], ['compensate:customer', 'completed'],
    ]);
    assert.equal(run.steps.find((s) => s.name === 'invoice')?.attempts, 3);
  });

  it('runs each compensation once, retrying one that fails transiently without repeating those done', async () => {
    const name = unique('saga-retry');
    const log: string[] = [];
    const flow = sagaFlow(name, log, () => { throw permanentError('card declined'); }, (step, attempt) => {
      if (step === 'order' && attempt === 1) throw transientError('ERP timeout');
    });
    const { rt, clock } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'opp-2' });
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(runId)).status, 'compensating');
    clock.advance(1000);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'compensated');
    assert.match(run.error ?? '', /card declined/);
    assert.deepEqual(log.filter((l) => l.startsWith('undo')), [
      'undo subscription subscription-id', 'undo order order-id', 'undo order order-id', 'undo customer customer-id',
    ]);
    assert.equal(log.filter((l) => l === 'do invoice').length, 1, 'a permanent failure is not retried');
  });

  it('ends compensation-failed with a dead letter when a compensation cannot succeed, and retries it on request', async () => {
    const name = unique('saga-dead');
    const log: string[] = [];
    let erpBroken = true;
    const flow = sagaFlow(name, log, () => { throw permanentError('tax rejected'); }, (step) => {
      if (step === 'order' && erpBroken) throw permanentError('order is already shipped');
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'opp-3' });
    await rt.worker.runDue();
    let run = await rt.runs.get(runId);
    assert.equal(run.status, 'compensation-failed');
    assert.match(run.error ?? '', /compensation of step "order" failed/);
    const parked = await get().store.db.selectFrom('dead_letters').selectAll().where('kind', '=', 'run').where('message_id', '=', runId).execute();
    assert.equal(parked.length, 1);
    assert.equal(parked[0]!.state, 'parked');

    erpBroken = false;
    await rt.runs.retry(runId, 'ops@example.com');
    await rt.worker.runDue();
    run = await rt.runs.get(runId);
    assert.equal(run.status, 'compensated');
    assert.deepEqual(log.filter((l) => l.startsWith('undo')), [
      'undo subscription subscription-id', 'undo order order-id', 'undo order order-id', 'undo customer customer-id',
    ]);
    const resolved = await get().store.db.selectFrom('dead_letters').select(['state', 'resolved_by']).where('kind', '=', 'run').where('message_id', '=', runId).executeTakeFirstOrThrow();
    assert.deepEqual({ ...resolved }, { state: 'replayed', resolved_by: 'ops@example.com' });
  });

  it('cancelling a waiting run compensates what it did and ends it cancelled', async () => {
    const name = unique('cancel');
    const log: string[] = [];
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.run('reserve', () => (log.push('reserve'), 'r1'), { compensate: () => void log.push('release') });
        await ctx.step.run('quote', () => (log.push('quote'), 'q1'), { compensate: () => void log.push('void quote') });
        await ctx.step.approval('sign-off', { amount: 100 });
        await ctx.step.run('book', () => log.push('book'));
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'q' });
    await rt.worker.runDue();
    assert.deepEqual(await rt.runs.cancel(runId, 'ops'), { status: 'compensating' });
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(log, ['reserve', 'quote', 'void quote', 'release']);
    await assert.rejects(rt.runs.cancel(runId, 'ops'), { code: 'conflict' });
    await assert.rejects(rt.runs.decide(runId, { approved: true, by: 'x' }), { code: 'conflict' });
  });

  it('a cancel that arrives after the last step still compensates instead of completing', async () => {
    const name = unique('late-cancel');
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.run('charge', () => void log.push('charge'), { compensate: () => void log.push('refund') });
        await gate;
        return 'done';
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    const running = rt.worker.runDue();
    // Cancel once the step is journaled, while the flow's code is past its last step.
    while ((await rt.runs.get(runId)).steps[0]?.status !== 'completed') await new Promise((r) => setImmediate(r));
    await rt.runs.cancel(runId, 'ops');
    release();
    await running;
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'cancelled');
    assert.equal(run.output, null);
    assert.deepEqual(log, ['charge', 'refund']);
  });
});
