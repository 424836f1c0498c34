import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defineFlow, type FlowDefinition } from '../../flows/define-flow.ts';
import { fiveStepFlow } from '../../flows/samples/five-steps.ts';
import { testRuntime, unique } from '../../../test/flows/flow-harness.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { ManualClock } from '../../core/clock.ts';
import { InterlockError } from '../../core/errors.ts';
import { stepKey } from './replay-context.ts';

const DAY = 86_400_000;

describeEachStore('flow runtime', (get) => {
  it('runs a five-step flow to completion, journaling every step in order', async () => {
    const name = unique('five');
    const { rt } = testRuntime(get().store, [fiveStepFlow({ name })]);
    const { runId, outcome } = await rt.start(name, { key: 'k1', input: { order: 7 } });
    assert.equal(outcome, 'started');
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.input, { order: 7 });
    assert.deepEqual(run.steps.map((s) => [s.name, s.status, s.attempts]), [
      ['one', 'completed', 1],
      ['two', 'completed', 1],
      ['three', 'completed', 1],
      ['four', 'completed', 1],
      ['five', 'completed', 1],
    ]);
    assert.deepEqual((run.output as Array<{ n: number }>).map((r) => r.n), [1, 2, 3, 4, 5]);
  });

  it('returns journaled results on resume without running the steps again', async () => {
    const name = unique('resume');
    const calls: string[] = [];
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        const a = await ctx.step.run('a', () => (calls.push('a'), { at: Math.random() }));
        await ctx.step.sleep('pause', 1000);
        const b = await ctx.step.run('b', () => (calls.push('b'), 2));
        return { a, b };
      },
    });
    const { rt, clock } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    await rt.worker.runDue();
    const first = (await rt.runs.get(runId)).steps[0]!.result;
    assert.equal((await rt.runs.get(runId)).status, 'waiting');
    clock.advance(1000);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.deepEqual(calls, ['a', 'b']);
    assert.deepEqual((run.output as { a: unknown }).a, first);
  });

  it("times a step from its first attempt's start to its end, across retries", async () => {
    const name = unique('timed');
    let tries = 0;
    const clock = new ManualClock();
    const flow = defineFlow({
      name,
      version: 1,
      retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 1000 },
      async run(ctx) {
        await ctx.step.run('quick', () => clock.advance(40));
        await ctx.step.run('flaky', () => {
          clock.advance(250);
          if (++tries === 1) throw new InterlockError('transient', 'try again');
          return 'ok';
        });
      },
    });
    const { rt } = testRuntime(get().store, [flow], { clock });
    const { runId } = await rt.start(name, { key: 'k' });
    const begun = clock.now();
    await rt.worker.runDue();
    clock.advance(1000);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    const span = (step: string) => {
      const s = run.steps.find((x) => x.name === step)!;
      return [Date.parse(s.startedAt) - begun, Date.parse(s.endedAt ?? '') - begun];
    };
    assert.deepEqual(span('quick'), [0, 40]);
    // First attempt 40→290, a second's backoff, second attempt 1290→1540.
    assert.deepEqual(span('flaky'), [40, 1540]);
  });

  it('fires a 3-day timer when the clock reaches it, and not a millisecond before', async () => {
    const name = unique('timer');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.sleep('three-days', 3 * DAY);
        return ctx.step.run('after', () => 'done');
      },
    });
    const { rt, clock } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    await rt.worker.runDue();
    const waiting = await rt.runs.get(runId);
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.wakeAt, new Date(clock.now() + 3 * DAY).toISOString());
    clock.advance(3 * DAY - 1);
    assert.equal(await rt.worker.runDue(), 0);
    assert.equal((await rt.runs.get(runId)).status, 'waiting');
    clock.advance(1);
    await rt.worker.runDue();
    const done = await rt.runs.get(runId);
    assert.equal(done.status, 'completed');
    assert.equal(done.output, 'done');
  });

  it('waitForEvent resumes with a matching event and ignores others', async () => {
    const name = unique('wait');
    const flow = defineFlow<{ sub: string }>({
      name,
      version: 1,
      async run(ctx) {
        const paid = await ctx.step.waitForEvent('paid', { type: 'invoice.paid', match: { 'data.object.subscription': ctx.input.sub }, timeoutMs: DAY });
        return { paid };
      },
    });
    const { rt } = testRuntime(get().store, [flow as FlowDefinition]);
    const { runId } = await rt.start(name, { key: 'sub_1', input: { sub: 'sub_1' } });
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(runId)).waitingFor, 'invoice.paid');
    assert.deepEqual(await rt.runs.sendEvent('invoice.paid', { data: { object: { subscription: 'sub_2' } } }), []);
    const event = { type: 'invoice.paid', data: { object: { subscription: 'sub_1', amount: 5 } } };
    assert.deepEqual(await rt.runs.sendEvent('invoice.paid', event), [runId]);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.output, { paid: event });
  });

  it('waitForEvent resolves to null when its timeout passes first', async () => {
    const name = unique('timeout');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        const paid = await ctx.step.waitForEvent('paid', { type: 'invoice.paid', timeoutMs: 2 * DAY });
        return ctx.step.run('outcome', () => (paid === null ? 'chase-payment' : 'booked'));
      },
    });
    const { rt, clock } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    await rt.worker.runDue();
    clock.advance(2 * DAY);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.output, 'chase-payment');
    assert.equal(run.steps.find((s) => s.name === 'paid')?.error, 'timed out');
    assert.deepEqual(await rt.runs.sendEvent('invoice.paid', {}), [], 'a late event finds nobody waiting');
  });

  it('an approval waits across a restart and records who decided, when and why', async () => {
    const name = unique('approve');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        const decision = await ctx.step.approval('discount', { discountPct: 30 });
        return ctx.step.run('book', () => (decision.approved ? 'booked' : 'dropped'));
      },
    });
    const first = testRuntime(get().store, [flow]);
    const { runId } = await first.rt.start(name, { key: 'opp-1' });
    await first.rt.worker.runDue();
    assert.equal((await first.rt.runs.get(runId)).waitingFor, '@approval');
    // A new process: new registry, new worker, same store and time.
    const second = testRuntime(get().store, [flow], { clock: first.clock });
    first.clock.advance(3_600_000);
    const decision = await second.rt.runs.decide(runId, { approved: true, by: 'cfo@example.com', reason: 'strategic account' });
    await assert.rejects(second.rt.runs.decide(runId, { approved: false, by: 'x' }), { code: 'conflict' });
    await second.rt.worker.runDue();
    const run = await second.rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.output, 'booked');
    const step = run.steps.find((s) => s.name === 'discount');
    assert.deepEqual(step?.result, decision);
    assert.deepEqual(step?.waitingFor, { discountPct: 30 });
    assert.equal(decision.at, new Date(first.clock.now()).toISOString());
  });

  it('refuses a step name used twice in one run, failing the run with a dead letter', async () => {
    const name = unique('dup');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.run('same', () => 1);
        await ctx.step.run('same', () => 2);
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /used twice/);
    const dl = await get().store.db.selectFrom('dead_letters').selectAll().where('message_id', '=', runId).where('kind', '=', 'run').execute();
    assert.equal(dl.length, 1);
  });

  it('fails a run whose timer has no valid duration, instead of waiting forever', async () => {
    const name = unique('bad-timer');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        await ctx.step.sleep('never', Number.NaN);
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'k' });
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /finite duration/);
  });

  it('enqueues a step\'s outbox messages with its journal write, under keys derived from run and step', async () => {
    const name = unique('send');
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        return ctx.step.run('notify', (s) => {
          s.send({ destination: 'erp', key: ctx.key, payload: JSON.stringify({ hello: ctx.key }) });
          return s.idempotencyKey;
        });
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'order-9' });
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.output, stepKey(runId, 'notify'));
    const rows = await get().store.db.selectFrom('outbox').selectAll().where('key', '=', 'order-9').where('source', '=', `flow:${name}`).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.payload, '{"hello":"order-9"}');
  });
});
